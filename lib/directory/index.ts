// The directory: people, groups, set-password links, delegation and their
// audit trail. Each function takes the database and the acting person, and
// authorises inside; the zod schemas beside them say what a form may send.
export * from './audit';
export * from './delegation';
export * from './errors';
export * from './groups';
export * from './invites';
export * from './users';
