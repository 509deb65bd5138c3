import { describe, expect, it } from 'vitest'
import { withoutAddresses } from '../../shared/subscriptions/email-address'

describe('addresses in log lines', () => {
  it('masks the addresses a mail server names in its refusal', () => {
    expect(withoutAddresses('550 5.1.1 <Ada.Lovelace@Example.org>: Recipient address rejected')).toBe(
      '550 5.1.1 <a***@example.org>: Recipient address rejected',
    )
    expect(withoutAddresses('refused: bob@localhost, carol@mail.example.net')).toBe(
      'refused: b***@localhost, c***@mail.example.net',
    )
  })

  it('masks a known recipient whatever its form, a quoted local part included', () => {
    const masked = withoutAddresses('"john doe"@example.org refused', ['"john doe"@example.org'])
    expect(masked).not.toContain('john')
    expect(withoutAddresses('"john doe"@example.org refused')).not.toContain('john')
  })

  it('leaves text without addresses alone, however many @ signs it holds', () => {
    // A pattern that backtracks would not return here: every part of it is bounded.
    const noise = '@'.repeat(100_000)
    expect(withoutAddresses(noise)).toBe(noise)
    expect(withoutAddresses('timeout after 30 s @ relay')).toBe('timeout after 30 s @ relay')
  })
})
