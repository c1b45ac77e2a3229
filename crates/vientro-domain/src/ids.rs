//! Record identifiers: one newtype per kind so an organisation id can never be passed as an aid-item id.
//!
//! Ids are assigned by the store; this module only names them. Primitive ids never cross crate boundaries.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// An organisation (donor, Vietnamese agency, …).
    OrganisationId
);
id_type!(
    /// A registration certificate.
    CertificateId
);
id_type!(
    /// An aid item (programme, project, non-project or emergency aid).
    AidItemId
);
id_type!(
    /// A money flow (commitment or disbursement) of an aid item.
    FlowId
);
