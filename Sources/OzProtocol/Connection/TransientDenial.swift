/// `ACCESS_DENIED` reasons that say nothing about the credentials: the server cannot admit anyone just now (PROTOCOL.md,
/// "Several servers"). A client with other servers for the room moves on to the next one, with backoff; with one server
/// it stops, as after any denial.
public enum TransientDenial {
    /// A cluster node whose PostgreSQL store is unreachable refuses logins with this reason (OzCluster's `ClusterRoom`).
    public static let clusterStoreUnavailable = "cluster store unavailable"

    /// Whether a denial with this reason is transient.
    public static func isTransient(_ reason: String) -> Bool {
        reason == clusterStoreUnavailable
    }
}
