//! Bearer-token authentication of the planner's calls (health and reflection stay open so
//! that orchestrators and tools can probe the server).

use tonic::{Request, Status};

/// Checks `authorization: Bearer <token>` when a token is configured.
#[derive(Clone)]
pub struct BearerAuth {
    expected: Option<Vec<u8>>,
}

impl BearerAuth {
    /// No token: every call passes.
    pub fn new(token: Option<String>) -> Self {
        Self {
            expected: token.map(|t| format!("Bearer {}", t.trim()).into_bytes()),
        }
    }

    /// The interceptor.
    #[allow(clippy::result_large_err)] // tonic's interceptor signature
    pub fn check(&self, request: Request<()>) -> Result<Request<()>, Status> {
        let Some(expected) = &self.expected else {
            return Ok(request);
        };
        let given = request
            .metadata()
            .get("authorization")
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        if constant_time_eq(given, expected) {
            Ok(request)
        } else {
            Err(Status::unauthenticated("missing or wrong bearer token"))
        }
    }
}

/// Compares without an early exit on the first differing byte, so that timing does not
/// reveal how much of a guessed token is right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_checked() {
        let auth = BearerAuth::new(Some("s3cret".into()));
        let mut ok = Request::new(());
        ok.metadata_mut()
            .insert("authorization", "Bearer s3cret".parse().expect("ascii"));
        assert!(auth.check(ok).is_ok());
        let mut wrong = Request::new(());
        wrong
            .metadata_mut()
            .insert("authorization", "Bearer s3creT".parse().expect("ascii"));
        assert_eq!(
            auth.check(wrong).expect_err("wrong").code(),
            tonic::Code::Unauthenticated
        );
        assert!(auth.check(Request::new(())).is_err());
        assert!(BearerAuth::new(None).check(Request::new(())).is_ok());
    }
}
