//! `Keyed` in a build without any digest feature: a type with no values, so that the signers'
//! HMAC and RSA paths compile and can never run. (Mutation testing leaves this file out: its
//! bodies are unreachable by construction.)

use super::{Computed, SignatureMethod, SigningKey};
use crate::Error;

#[derive(Clone)]
pub(crate) enum Keyed {}

impl Keyed {
    pub(crate) fn new(_: SignatureMethod, _: &SigningKey<'_>) -> Result<Option<Self>, Error> {
        Ok(None)
    }

    pub(crate) fn fresh(&self) -> Self {
        match *self {}
    }

    pub(crate) fn finish_into(&mut self, _: &mut Computed) -> Result<(), Error> {
        match *self {}
    }
}

impl crate::base_string::Sink for Keyed {
    fn put(&mut self, _: &[u8]) {
        match *self {}
    }
}
