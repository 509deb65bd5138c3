/**
 * The portal's `frameworkProgramme` ids and the programmes' names, as the portal names them.
 * Ids marked "recorded" were seen on recorded topics whose identifier prefix fixes the programme
 * (HORIZON-CL*, DIGITAL-*, LIFE-*, ...); the others come from the mapping tables of public client
 * code, which agree on them (see shared/catalogue/sources/eu-ft/data/README.md). Mapping tables
 * in public code disagree on a few ids; those were checked against recorded data, not copied.
 * An id missing here leaves the instrument's programme unset rather than guessed.
 */
export const FRAMEWORK_PROGRAMMES: Readonly<Record<string, string>> = {
  // recorded
  '43108390': 'Horizon Europe',
  '43298916': 'Euratom Research and Training Programme',
  '43152860': 'Digital Europe Programme',
  '44181033': 'European Defence Fund',
  '43252405': 'Programme for the Environment and Climate Action (LIFE)',
  '43251567': 'Connecting Europe Facility',
  '43353764': 'Erasmus+',
  '43251589': 'Citizens, Equality, Rights and Values Programme',
  '43251814': 'Creative Europe',
  '43252386': 'Justice Programme',
  '43254019': 'European Social Fund+',
  '43252476': 'Single Market Programme',
  '44416173': 'Interregional Innovation Investments Instrument',
  '43252517': 'Social Prerogative and Specific Competencies Lines',
  '111111': 'EU External Action (Prospect)',
  // from client code
  '43332642': 'EU4Health Programme',
  '43392145': 'European Maritime, Fisheries and Aquaculture Fund',
  '43252368': 'Internal Security Fund',
  '43251447': 'Asylum, Migration and Integration Fund',
  '43251530': 'Border Management and Visa Policy Instrument',
  '43089234': 'Innovation Fund',
  '43298203': 'Union Civil Protection Mechanism',
  '43254037': 'European Solidarity Corps',
  '43252449': 'Research Fund for Coal & Steel',
  '43298664': 'Promotion of Agricultural Products',
  '43251842': 'Union Anti-fraud Programme',
  '43252433': 'Protection of the Euro against Counterfeiting (PERICLES IV)',
  '43251882': 'Information Measures relating to the Common Agricultural Policy',
  '44773133': 'Information Measures for the EU Cohesion Policy',
  '44773066': 'Just Transition Mechanism',
  '43253967': 'Renewable Energy Financing Mechanism',
  '45532249': 'EU Bodies and Agencies',
  '43637601': 'Pilot Projects & Preparatory Actions',
  '45876777': 'NDICI – Global Europe',
}

export function programmeName(frameworkProgrammeId: string): string | undefined {
  return Object.hasOwn(FRAMEWORK_PROGRAMMES, frameworkProgrammeId)
    ? FRAMEWORK_PROGRAMMES[frameworkProgrammeId]
    : undefined
}
