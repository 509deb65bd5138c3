/**
 * The feature taxonomy of SecurIT D2.5, Annex 1 ("Complete list of features"), exactly as printed:
 * four categories, 54 features. Instruments and projects are described by these codes, which is
 * what makes matching a project to funding possible.
 */
export const TAXONOMY = [
  {
    id: 'techniques',
    label: 'Techniques',
    features: [
      { code: 'T1', label: 'AI (ML)' },
      { code: 'T2', label: 'Blockchain' },
      { code: 'T3', label: 'Cryptography' },
      { code: 'T4', label: 'Visualisation (WAR)' },
      { code: 'T5', label: 'Laser (LIDAR)' },
      { code: 'T6', label: 'Robotics & kinematics' },
      { code: 'T7', label: 'SLAM' },
      { code: 'T8', label: 'CBRN detection' },
      { code: 'T9', label: 'Software development' },
      { code: 'T10', label: 'IoT' },
      { code: 'T11', label: 'Biometry' },
      { code: 'T12', label: 'Quantum Technologies' },
      { code: 'T13', label: 'UAVs, Drones' },
      { code: 'T14', label: 'Sensors' },
      { code: 'T15', label: 'Big Data' },
    ],
  },
  {
    id: 'processes',
    label: 'Process',
    features: [
      { code: 'P1', label: 'Forecast/Foresight' },
      { code: 'P2', label: 'Planning' },
      { code: 'P3', label: 'Detection' },
      { code: 'P4', label: 'Inspection (remote)' },
      { code: 'P5', label: 'Response decisions / risk mitigation' },
      { code: 'P6', label: 'Incident handling' },
      { code: 'P7', label: 'Data collection' },
      { code: 'P8', label: 'Multi source integration' },
      { code: 'P9', label: 'Data storing' },
      { code: 'P10', label: 'Info / data sharing' },
      { code: 'P11', label: 'Cascading effects' },
      { code: 'P12', label: 'Cybersecurity' },
      { code: 'P13', label: 'Forensic' },
      { code: 'P14', label: 'Access control' },
      { code: 'P15', label: 'Impact monitoring' },
      { code: 'P16', label: 'Post-analysis' },
      { code: 'P17', label: 'Analytical support' },
      { code: 'P18', label: 'Statistics and Reporting' },
    ],
  },
  {
    id: 'development',
    label: 'Development support',
    features: [
      { code: 'D1', label: 'Experimental deployment' },
      { code: 'D2', label: 'Prototype' },
      { code: 'D3', label: 'Productization' },
      { code: 'D4', label: 'Tools and technologies adoption to the concrete market needs, integration' },
      { code: 'D5', label: 'Large scale exercising' },
      { code: 'D6', label: 'Hackathons, Ranges, Simulations' },
      { code: 'D7', label: 'Tools functional, operational, end-user testing' },
    ],
  },
  {
    id: 'general',
    label: 'General',
    features: [
      { code: 'G1', label: 'Export support' },
      {
        code: 'G2',
        label:
          'Dual use application and cross-domain application (i.e. preventive, security, safety, defence, military, space ind.)',
      },
      { code: 'G3', label: 'Showcasing, Demo, Presentations, Exhibitions' },
      { code: 'G4', label: 'Patenting' },
      { code: 'G5', label: 'Re-skilling of the experts' },
      { code: 'G6', label: 'Capabilities development with hands on' },
      { code: 'G7', label: 'Validation and certification of technologies' },
      { code: 'G8', label: 'Cross-institution, Cross-border collaboration events' },
      { code: 'G9', label: 'Education programmes and trainings' },
      { code: 'G10', label: 'Tools and technologies development and certification from ELSA perspectives' },
      { code: 'G11', label: 'Tools efficiency (energy efficiency, cost efficiency, green agenda etc.)' },
      { code: 'G12', label: 'Networking, Clustering' },
      { code: 'G13', label: 'Organizational, Business models development, marketing' },
      { code: 'G14', label: 'Investors, business angels' },
    ],
  },
] as const

export type CategoryId = (typeof TAXONOMY)[number]['id']
export type FeatureCode = (typeof TAXONOMY)[number]['features'][number]['code']

/** Every code in taxonomy order (T1..T15, P1..P18, D1..D7, G1..G14). */
export const FEATURE_CODES: readonly FeatureCode[] = TAXONOMY.flatMap((category) =>
  category.features.map((feature) => feature.code),
)

/** Position of each code in taxonomy order; also its bit in a feature mask. */
export const FEATURE_INDEX: ReadonlyMap<string, number> = new Map(
  FEATURE_CODES.map((code, index) => [code, index]),
)

export const FEATURE_LABELS: ReadonlyMap<string, string> = new Map(
  TAXONOMY.flatMap((category) => category.features.map((feature) => [feature.code, feature.label] as const)),
)

export function isFeatureCode(value: string): value is FeatureCode {
  return FEATURE_INDEX.has(value)
}

/** Unique codes sorted into taxonomy order. */
export function sortFeatureCodes(codes: Iterable<string>): FeatureCode[] {
  return [...new Set(codes)].filter(isFeatureCode).sort((a, b) => featureIndex(a) - featureIndex(b))
}

function featureIndex(code: FeatureCode): number {
  return FEATURE_INDEX.get(code) ?? Number.MAX_SAFE_INTEGER
}
