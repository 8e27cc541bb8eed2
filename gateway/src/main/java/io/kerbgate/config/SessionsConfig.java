package io.kerbgate.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kerbgate.config.GatewayConfig.Sessions;
import java.util.List;

/** The {@code sessions} section: reads it into {@link Sessions} and writes it back for the admin view. */
final class SessionsConfig {

    static final List<String> KEYS = List.of("connection_bound");

    private SessionsConfig() {}

    static Sessions parse(YamlSection section) throws ConfigException {
        boolean connectionBound = section.has("connection_bound")
                && ConfigValues.bool(section.key("connection_bound"), section.get("connection_bound"));
        return new Sessions(connectionBound);
    }

    static void write(Sessions sessions, ObjectNode root) {
        root.putObject("sessions").put("connection_bound", sessions.connectionBound());
    }
}
