// The error catalog, and how validation failures, Postgres failures and everything else become
// the contract's `{detail, code}` answers.
export { errors, settle, type ErrorBody, type ErrorReply, type ValidationIssue } from './catalog.js'
export { toValidationIssues } from './validation.js'
export { databaseError, databaseRefusal, isDataError, isDatabaseUnavailable, isTransientConflict } from './postgres.js'
export { clientErrorHandler, errorHandler, frameworkErrorHandler, notFoundHandler, toErrorReply } from './handlers.js'
