import type { Child } from 'hono/jsx'
import type { Problem } from '../../api/lib/problem'
import { Layout, type Section } from '../components/layout'

/** A page that only says something: a heading and a few paragraphs. */
export function MessagePage({
  title,
  children,
  section = 'none',
}: {
  title: string
  children?: Child
  section?: Section
}) {
  return (
    <Layout title={title} section={section}>
      <h1>{title}</h1>
      {children}
    </Layout>
  )
}

/** An error a page could not handle itself, as the same problem the API would send, for people. */
export function ProblemPage({ problem }: { problem: Problem }) {
  const details = (problem.errors ?? []).filter((error) => error.message !== problem.detail)
  return (
    <MessagePage title={problem.title}>
      <p>{problem.detail}</p>
      {details.length > 0 ? (
        <ul>
          {details.map((error) => (
            <li>{error.path ? `${error.path}: ${error.message}` : error.message}</li>
          ))}
        </ul>
      ) : null}
      <p>
        <a href="/">Go to the search</a>
      </p>
    </MessagePage>
  )
}
