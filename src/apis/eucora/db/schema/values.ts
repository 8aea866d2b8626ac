// The original's enumerations (Django TextChoices), as const lists: the tables check them and the
// request schemas offer them.

export const RINGS = ['LAB', 'CANARY', 'PILOT', 'DEPARTMENT', 'GLOBAL'] as const
export type Ring = typeof RINGS[number]

export const DEPLOYMENT_STATUSES = ['PENDING', 'AWAITING_CAB', 'APPROVED', 'REJECTED', 'DEPLOYING', 'COMPLETED', 'FAILED', 'ROLLED_BACK'] as const
export type DeploymentStatus = typeof DEPLOYMENT_STATUSES[number]

export const DECISIONS = ['PENDING', 'APPROVED', 'REJECTED', 'CONDITIONAL'] as const
export type Decision = typeof DECISIONS[number]

/** The execution planes of the original's connectors. */
export const PLANES = ['INTUNE', 'JAMF', 'SCCM', 'LANDSCAPE', 'ANSIBLE'] as const
export type Plane = typeof PLANES[number]

export const JOB_STATUSES = ['QUEUED', 'PUBLISHING', 'DEPLOYING', 'COMPLETED', 'FAILED'] as const
export type JobStatus = typeof JOB_STATUSES[number]
export const JOB_OUTCOMES = ['COMPLETED', 'FAILED'] as const
export type JobOutcome = typeof JOB_OUTCOMES[number]

export const REMEDIATION_ACTIONS = ['REINSTALL', 'RETRY_FAILED'] as const
export type RemediationAction = typeof REMEDIATION_ACTIONS[number]

/**
 * What a user may do beyond reading and submitting deployments: `cab_member` decides CAB approvals
 * (the original's `cab_member` group), `publisher` publishes to and remediates connectors. Staff
 * users may do everything.
 */
export const ROLES = ['submitter', 'cab_member', 'publisher'] as const
export type Role = typeof ROLES[number]

export const inList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ')
