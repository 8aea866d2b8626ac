// ERIOP's live events (Socket.IO, as the original): which bus events are pushed, to whom, with
// which payload. The routes publish `{agency_id, data}` with the REST object they answered; the
// ingest writer publishes its committed records, which become the alert as GET /alerts/{id} shows it.
import type { LiveMessage, LiveOptions } from '../../core/live/plugin.js'
import { toCreatedAlert, type IngestRecord } from './ingest/records.js'

export interface LiveEnvelope {
  agency_id: string
  data: { id: string }
}

/** The payload a route publishes: its REST object, for its caller's agency. */
export const envelope = (agencyId: string, data: { id: string }): LiveEnvelope => ({ agency_id: agencyId, data })

const isEnvelope = (payload: unknown): payload is LiveEnvelope =>
  typeof (payload as LiveEnvelope)?.agency_id === 'string' && typeof (payload as LiveEnvelope).data?.id === 'string'

const restObject = (payload: unknown): LiveMessage | undefined =>
  isEnvelope(payload) ? { agencyId: payload.agency_id, data: payload.data } : undefined

export const liveOptions: LiveOptions = {
  events: {
    'incident:created': restObject,
    'incident:updated': (payload) => isEnvelope(payload)
      ? { agencyId: payload.agency_id, data: payload.data, room: { kind: 'incident', id: payload.data.id } }
      : undefined,
    'alert:created': (payload) => {
      const record = payload as IngestRecord
      return { agencyId: record.agency_id, data: toCreatedAlert(record) }
    },
    'alert:updated': restObject,
    'resource:updated': restObject
  },
  joinable: ['incident']
}
