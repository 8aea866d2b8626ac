// Word lists the fixture builders draw from with a seeded faker, so the rows read like
// Montreal emergency-response data rather than lorem ipsum. Changing any list changes the
// fixture (and every id-stable row that used it): bump FIXTURE_VERSION in fixture.ts if you do.

export interface Street { type: string, name: string }

/** Real Montreal streets; addresses are `<civic> <type> <name>`. */
export const MONTREAL_STREETS: readonly Street[] = [
  { type: 'Rue', name: 'Sainte-Catherine Ouest' },
  { type: 'Rue', name: 'Sainte-Catherine Est' },
  { type: 'Boulevard', name: 'Saint-Laurent' },
  { type: 'Rue', name: 'Sherbrooke Ouest' },
  { type: 'Rue', name: 'Sherbrooke Est' },
  { type: 'Boulevard', name: 'René-Lévesque Ouest' },
  { type: 'Boulevard', name: 'De Maisonneuve Ouest' },
  { type: 'Avenue', name: 'du Mont-Royal Est' },
  { type: 'Rue', name: 'Saint-Denis' },
  { type: 'Rue', name: 'Notre-Dame Ouest' },
  { type: 'Rue', name: 'Saint-Jacques' },
  { type: 'Rue', name: 'Peel' },
  { type: 'Rue', name: 'University' },
  { type: 'Avenue', name: 'du Parc' },
  { type: 'Boulevard', name: 'Décarie' },
  { type: 'Rue', name: 'Jean-Talon Est' },
  { type: 'Rue', name: 'Jean-Talon Ouest' },
  { type: 'Rue', name: 'Ontario Est' },
  { type: 'Rue', name: 'Wellington' },
  { type: 'Avenue', name: 'Papineau' },
  { type: 'Boulevard', name: 'Pie-IX' },
  { type: 'Rue', name: 'Saint-Hubert' },
  { type: 'Avenue', name: 'Laurier Ouest' },
  { type: 'Rue', name: 'Beaubien Est' },
  { type: 'Rue', name: 'Rachel Est' },
  { type: 'Chemin', name: 'de la Côte-des-Neiges' },
  { type: 'Avenue', name: 'Van Horne' },
  { type: 'Rue', name: 'Bélanger' },
  { type: 'Boulevard', name: 'Rosemont' },
  { type: 'Avenue', name: 'Atwater' },
  { type: 'Rue', name: 'Guy' },
  { type: 'Boulevard', name: 'Saint-Michel' },
  { type: 'Rue', name: 'Fleury Est' },
  { type: 'Boulevard', name: 'Henri-Bourassa Est' },
  { type: 'Rue', name: 'Sainte-Rose' },
  { type: 'Avenue', name: 'Christophe-Colomb' },
  { type: 'Rue', name: 'De Bleury' },
  { type: 'Rue', name: 'Masson' },
  { type: 'Boulevard', name: 'Lasalle' },
  { type: 'Rue', name: 'Hochelaga' }
]

/** Letters Canada Post uses in postal codes (never D, F, I, O, Q, U). */
export const POSTAL_LETTERS = 'ABCEGHJKLMNPRSTVWXYZ'.split('')

export const BUILDING_KINDS = [
  { type: 'commercial', occupancy: 'business', suffix: 'Building', floors: [2, 12], hazard: ['low', 'moderate'] },
  { type: 'residential_multi', occupancy: 'residential', suffix: 'Apartments', floors: [3, 10], hazard: ['low', 'moderate'] },
  { type: 'high_rise', occupancy: 'business', suffix: 'Tower', floors: [18, 45], hazard: ['moderate', 'high'] },
  { type: 'industrial', occupancy: 'factory', suffix: 'Plant', floors: [1, 3], hazard: ['moderate', 'high', 'extreme'] },
  { type: 'warehouse', occupancy: 'storage', suffix: 'Warehouse', floors: [1, 2], hazard: ['moderate', 'high'] },
  { type: 'healthcare', occupancy: 'institutional', suffix: 'Medical Centre', floors: [3, 14], hazard: ['moderate', 'high'] },
  { type: 'educational', occupancy: 'educational', suffix: 'School', floors: [2, 5], hazard: ['low', 'moderate'] },
  { type: 'government', occupancy: 'business', suffix: 'Government Office', floors: [3, 15], hazard: ['low', 'moderate'] },
  { type: 'mixed_use', occupancy: 'mercantile', suffix: 'Complex', floors: [4, 20], hazard: ['low', 'moderate'] },
  { type: 'institutional', occupancy: 'assembly', suffix: 'Community Centre', floors: [1, 4], hazard: ['low', 'moderate'] }
] as const

export const CONSTRUCTION_KINDS = ['type_i', 'type_ii', 'type_iii', 'type_iv', 'type_v'] as const

export const PERSONNEL_CAPABILITIES = [
  'first_aid', 'cpr', 'hazmat', 'firearms', 'negotiation', 'k9', 'search_rescue', 'bilingual', 'paramedic', 'incident_command'
] as const

export const VEHICLE_KINDS = [
  { name: 'Patrol Car', capabilities: ['patrol', 'pursuit'] },
  { name: 'Ambulance', capabilities: ['advanced_life_support', 'patient_transport'] },
  { name: 'Fire Engine', capabilities: ['fire_suppression', 'water_supply'] },
  { name: 'Ladder Truck', capabilities: ['aerial_ladder', 'ventilation', 'rescue'] },
  { name: 'Rescue Unit', capabilities: ['extrication', 'technical_rescue'] },
  { name: 'Hazmat Unit', capabilities: ['hazmat', 'decontamination'] },
  { name: 'Command Vehicle', capabilities: ['incident_command', 'communications'] }
] as const

export const EQUIPMENT_KINDS = [
  { name: 'Thermal Imaging Camera', capabilities: ['thermal_imaging'] },
  { name: 'AED Defibrillator', capabilities: ['defibrillation'] },
  { name: 'Hydraulic Rescue Tool', capabilities: ['extrication'] },
  { name: 'Multi-Gas Detector', capabilities: ['gas_detection'] },
  { name: 'Surveillance Drone', capabilities: ['aerial_view', 'thermal_imaging'] },
  { name: 'Portable Generator', capabilities: ['power_supply'] },
  { name: 'Breathing Apparatus', capabilities: ['respiratory_protection'] }
] as const

/** The categories the seed client sends; the fixture cycles through them. */
export const INCIDENT_CATEGORIES = ['fire', 'medical', 'police', 'rescue', 'traffic', 'hazmat', 'intrusion'] as const
export type FixtureIncidentCategory = typeof INCIDENT_CATEGORIES[number]

export const INCIDENT_TEXT: Record<FixtureIncidentCategory, { titles: readonly string[], details: readonly string[] }> = {
  fire: {
    titles: ['Structure fire', 'Smoke reported', 'Kitchen fire', 'Electrical fire', 'Fire alarm activation'],
    details: ['Smoke visible from the upper floors', 'Occupants are evacuating by the main stairwell', 'Flames visible through a rear window', 'Caller smells burning plastic in the hallway']
  },
  medical: {
    titles: ['Person collapsed', 'Difficulty breathing', 'Chest pain', 'Fall with injury', 'Unconscious person'],
    details: ['Patient is conscious but disoriented', 'Bystander has started CPR', 'Elderly patient fell down a flight of stairs', 'Caller reports severe chest pain radiating to the left arm']
  },
  police: {
    titles: ['Disturbance', 'Suspicious person', 'Domestic dispute', 'Shoplifting in progress', 'Noise complaint'],
    details: ['Two individuals arguing loudly in the lobby', 'Person trying door handles along the street', 'Neighbour reports shouting and breaking glass', 'Store security is holding a suspect']
  },
  rescue: {
    titles: ['Person trapped in elevator', 'Water rescue', 'Confined-space rescue', 'Person stuck on scaffolding'],
    details: ['Elevator stopped between the third and fourth floors', 'Person seen in the water near the quay', 'Worker unresponsive inside a utility vault', 'Window washer platform is stuck mid-height']
  },
  traffic: {
    titles: ['Vehicle collision', 'Pedestrian struck', 'Multi-vehicle collision', 'Vehicle fire on roadway'],
    details: ['Two cars involved, one driver trapped', 'Cyclist struck at the intersection, conscious', 'Traffic blocked in both directions', 'Fluid leaking from a damaged vehicle']
  },
  hazmat: {
    titles: ['Gas leak', 'Chemical spill', 'Unknown odour', 'Carbon monoxide alarm'],
    details: ['Strong smell of natural gas in the basement', 'Drum of unknown liquid leaking on the loading dock', 'Several occupants report headaches and nausea', 'Detector alarming in a ground-floor unit']
  },
  intrusion: {
    titles: ['Break-in in progress', 'Intrusion alarm', 'Forced entry reported', 'Unauthorized access'],
    details: ['Motion detected in a closed section of the building', 'Glass door found shattered at the rear entrance', 'Caller sees two people inside the closed store', 'Badge reader reports a door held open after hours']
  }
}

/** The sound-analytics alert types of the seed client (axis microphones, Fundamentum). */
export const ALERT_TYPES = ['gunshot', 'explosion', 'glass_break', 'aggression', 'scream', 'car_alarm'] as const
export type FixtureAlertType = typeof ALERT_TYPES[number]

export const ALERT_TYPE_LABELS: Record<FixtureAlertType, string> = {
  gunshot: 'Gunshot',
  explosion: 'Explosion',
  glass_break: 'Glass break',
  aggression: 'Aggression',
  scream: 'Scream',
  car_alarm: 'Car alarm'
}

/** The alert sources the seed client sends. */
export const ALERT_SOURCES = ['fundamentum', 'alarm_system', 'axis_microphone', 'security_system'] as const
export const ALERT_SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const

export const SENSOR_MODELS = ['AXIS C1410', 'AXIS C1210-E', 'AXIS C8110', 'Fundamentum SA-200', 'Fundamentum SA-300'] as const

export const ACKNOWLEDGMENT_NOTES = [
  'Reviewed on camera, no threat observed',
  'Unit dispatched to check the area',
  'Confirmed false alarm with building security',
  'Linked to an ongoing call',
  'Acknowledged during shift review'
] as const
