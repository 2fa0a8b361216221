//! The one table of field limits, in characters (bodies in bytes): the same field has the same
//! limit on every route. A longer value is refused with 422 naming the field.

/// A person's name (commenter, hearing applicant, expert).
pub const NAME: usize = 100;
/// A title (a catalog item's matter).
pub const TITLE: usize = 200;
/// A contact (telephone, e-mail, address).
pub const CONTACT: usize = 200;
/// An organisation's name.
pub const ORGANISATION: usize = 200;
/// An interest group's name.
pub const GROUP: usize = 100;
/// A field of expertise.
pub const FIELD: usize = 50;
/// Fields of expertise per expert.
pub const FIELDS: usize = 20;
/// A reason (deactivation, moderation…).
pub const REASON: usize = 1000;
/// A free text of the public: a comment, a hearing statement, a declaration.
pub const TEXT: usize = 5000;
/// An idempotency key.
pub const KEY: usize = 200;
/// Any JSON body, in bytes.
pub const JSON_BODY: usize = 1024 * 1024;
/// A draft, in bytes.
pub const DRAFT_BYTES: usize = 512 * 1024;
/// A small JSON body (an application, an expert), in bytes.
pub const SMALL_BODY: usize = 16 * 1024;
/// A draw request, in bytes.
pub const SELECTION_BODY: usize = 64 * 1024;
