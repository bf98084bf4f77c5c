//! What the user gives, read and checked: the archive's plan from its central directory
//! ([`archive`]), knowledge bases ([`kb`]) and playbooks ([`playbooks`]), each fault typed
//! with the file and line it is in.

pub mod archive;
pub mod container;
pub mod kb;
pub mod kb_edit;
pub mod playbooks;
