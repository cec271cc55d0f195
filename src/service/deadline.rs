//! Client deadlines: the `grpc-timeout` header becomes the solve's time limit, less a
//! margin for assembling and sending the plan, so that a short deadline returns the best
//! plan found with a TIME_LIMIT status instead of DEADLINE_EXCEEDED with nothing.

use std::time::Duration;
use tonic::metadata::MetadataMap;

/// Time kept back from the client's deadline: a fifth of it, at least 0.2 s and at most
/// 5 s (assembly, KPIs and encoding of a national plan take a few seconds).
pub fn margin(timeout: Duration) -> Duration {
    (timeout / 5).clamp(Duration::from_millis(200), Duration::from_secs(5))
}

/// The client's timeout, from the `grpc-timeout` header (`<digits><H|M|S|m|u|n>`).
pub fn client_timeout(metadata: &MetadataMap) -> Option<Duration> {
    let text = metadata.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = text.split_at(text.len().checked_sub(1)?);
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n.saturating_mul(3600)),
        "M" => Duration::from_secs(n.saturating_mul(60)),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// Time limit for a solve under the client's deadline, in seconds (the policy's own limit
/// still applies when smaller).
pub fn time_limit(metadata: &MetadataMap) -> Option<f64> {
    client_timeout(metadata).map(|t| t.saturating_sub(margin(t)).as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_grpc_timeouts() {
        let mut m = MetadataMap::new();
        assert_eq!(client_timeout(&m), None);
        m.insert("grpc-timeout", "1500m".parse().expect("ascii"));
        assert_eq!(client_timeout(&m), Some(Duration::from_millis(1500)));
        let limit = time_limit(&m).expect("set");
        assert!((limit - 1.2).abs() < 1e-9, "{limit}");
        m.insert("grpc-timeout", "2M".parse().expect("ascii"));
        assert_eq!(client_timeout(&m), Some(Duration::from_secs(120)));
        m.insert("grpc-timeout", "12x".parse().expect("ascii"));
        assert_eq!(client_timeout(&m), None);
    }
}
