package io.kerbgate.rollover.node;

import io.kerbgate.rollover.ArrayConfig;
import io.kerbgate.rollover.NodeTarget;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Turns the array file's nodes into {@link NodeTarget}s. */
public final class Nodes {

    private Nodes() {}

    /** The array file's nodes, their admin APIs reached over its admin TLS ({@link AdminTransport}). */
    public static List<NodeTarget> of(ArrayConfig array) {
        return of(array, AdminTransport.httpClient(array));
    }

    public static List<NodeTarget> of(ArrayConfig array, HttpClient http) {
        List<NodeTarget> nodes = new ArrayList<>();
        for (ArrayConfig.Node node : array.nodes()) {
            nodes.add(of(node, http, array.verifyTimeout(), array.adminClient() == null ? AdminAuth.none()
                    : AdminAuth.negotiate(array.adminClient(), array.principal())));
        }
        return nodes;
    }

    /** @param negotiate how to authenticate to the node's admin API when it has no token file of its own */
    public static NodeTarget of(ArrayConfig.Node node, HttpClient http, Duration verifyTimeout, AdminAuth negotiate) {
        AdminApiNode admin = null;
        if (node.admin() != null) {
            AdminAuth auth = node.adminTokenFile() == null ? negotiate
                    : AdminAuth.bearerTokenFile(node.adminTokenFile());
            admin = new AdminApiNode(node.name(), node.admin(), node.front(), http, auth, verifyTimeout);
        }
        if (node.keytab() != null) {
            return new KeytabFileNode(node.name(), node.keytab(), admin, node.front());
        }
        return admin;
    }

}
