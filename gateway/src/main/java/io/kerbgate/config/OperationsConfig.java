package io.kerbgate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kerbgate.config.GatewayConfig.Logging;
import io.kerbgate.config.GatewayConfig.Principals;
import io.kerbgate.config.GatewayConfig.Route;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes the operations keys of the configuration, {@code logging} and {@code routes}, for
 * {@link ConfigLoader}, with the same strictness: every key checked, every error naming its path.
 *
 * <pre>
 * logging:
 *   format: plain            # or json
 * routes:
 *   - {name: health, path: /healthz, anonymous: true}
 *   - {name: admin, path: /admin/, allow: {principals: [alice@ARRAY.TEST]}}
 *   - {name: corp, path: /, host: intranet.example.test, deny: {regex: ["^svc-"]}, allow: {realms: [ARRAY.TEST]}}
 *   - {name: web, path: /web/, allow: {groups: [S-1-5-21-1004336348-1177238915-682003330-1104]}}
 * </pre>
 *
 * <p>{@code groups} lists group SIDs, matched against the groups of the ticket's verified PAC, so it needs
 * {@code acceptor.pac: verify} or {@code require}.
 */
final class OperationsConfig {

    static final List<String> LOGGING_KEYS = List.of("format");
    static final List<String> ROUTE_KEYS = List.of("name", "path", "host", "anonymous", "allow", "deny");
    static final List<String> PRINCIPALS_KEYS = List.of("principals", "realms", "regex", "groups");

    /** Route names become a metric tag and a log field: short, lower case, no spaces. */
    private static final Pattern ROUTE_NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    // RFC 3986 path characters, without '?' and '#' (a prefix has no query) and without '%' (prefixes are compared
    // with the decoded path, so they are written decoded).
    private static final Pattern ROUTE_PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@/-]*");
    private static final Pattern HOST_NAME =
            Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final int MAX_ROUTES = 1_000;
    /** A SID in its string form, {@code S-1-5-21-...-1104} (MS-DTYP 2.4.2.1, decimal authority). */
    private static final Pattern SID = Pattern.compile("^S-1-\\d+(-\\d+)+$");
    private static final int MAX_SID_LENGTH = 184;
    /** The {@code route} tag of requests that match no route. */
    static final String NO_ROUTE = "none";

    private OperationsConfig() {}

    static Logging logging(YamlSection section) throws ConfigException {
        if (!section.has("format")) {
            return Logging.DEFAULT;
        }
        String key = section.key("format");
        String fix = "write format: plain (the default) or format: json";
        String text = ConfigValues.text(key, section.require("format", fix), fix);
        return switch (text) {
            case "plain" -> new Logging(Logging.Format.PLAIN);
            case "json" -> new Logging(Logging.Format.JSON);
            default -> throw new ConfigException(key, ConfigValues.quote(text) + " is not a log format", fix);
        };
    }

    static List<Route> routes(YamlSection root) throws ConfigException {
        JsonNode node = root.get("routes");
        if (node == null) {
            return List.of();
        }
        String key = root.key("routes");
        String fix = "write routes as a list, e.g. routes: [{name: health, path: /healthz, anonymous: true}]";
        if (!node.isArray()) {
            throw new ConfigException(key, ConfigValues.describe(node) + " is not a list", fix);
        }
        if (node.size() > MAX_ROUTES) {
            throw new ConfigException(key, node.size() + " routes are more than " + MAX_ROUTES,
                    "merge routes: each request is matched against the list in order");
        }
        List<Route> routes = new ArrayList<>(node.size());
        Set<String> names = new HashSet<>();
        boolean pacOff = pacOff(root);
        for (int i = 0; i < node.size(); i++) {
            Route route = route(YamlSection.of(key + "[" + i + "]", node.get(i), ROUTE_KEYS), pacOff);
            if (!names.add(route.name())) {
                throw new ConfigException(key + "[" + i + "].name", ConfigValues.quote(route.name())
                        + " is the name of an earlier route", "give every route a name of its own");
            }
            routes.add(route);
        }
        return List.copyOf(routes);
    }

    /**
     * Whether {@code acceptor.pac} is {@code off} (or absent), read from the document as it is: {@link ConfigLoader}
     * has already refused any other value by the time routes are read.
     */
    private static boolean pacOff(YamlSection root) {
        JsonNode acceptor = root.get("acceptor");
        JsonNode pac = acceptor == null || !acceptor.isObject() ? null : acceptor.get("pac");
        if (pac == null || pac.isNull()) {
            return true;
        }
        // YAML 1.1 reads an unquoted off as false.
        return pac.isBoolean() ? !pac.booleanValue() : "off".equals(pac.asText());
    }

    private static Route route(YamlSection section, boolean pacOff) throws ConfigException {
        String nameFix = "name it with lower-case letters, digits, '_', '.' or '-', e.g. name: admin";
        String name = ConfigValues.text(section.key("name"), section.require("name", nameFix), nameFix);
        if (!ROUTE_NAME.matcher(name).matches()) {
            throw new ConfigException(section.key("name"), ConfigValues.quote(name) + " is not a route name", nameFix);
        }
        if (name.equals(NO_ROUTE)) {
            throw new ConfigException(section.key("name"), "\"none\" is reserved: it tags requests that match no route",
                    "choose another name");
        }
        String pathFix = "write the path prefix, decoded, starting with /, e.g. path: /admin/";
        String path = ConfigValues.text(section.key("path"), section.require("path", pathFix), pathFix);
        if (!ROUTE_PATH.matcher(path).matches()) {
            throw new ConfigException(section.key("path"), ConfigValues.quote(path) + " is not a path prefix", pathFix);
        }
        if (path.contains("//") || path.contains("/./") || path.contains("/../") || path.endsWith("/.")
                || path.endsWith("/..")) {
            throw new ConfigException(section.key("path"), ConfigValues.quote(path) + " is not a normalized path",
                    "remove '//', '.' and '..' segments: requests are matched after the same normalization");
        }
        String host = null;
        if (section.has("host")) {
            String hostFix = "write a host name alone, without port or scheme, e.g. host: intranet.example.test";
            String text = ConfigValues.text(section.key("host"), section.get("host"), hostFix);
            host = text.toLowerCase(Locale.ROOT);
            if (!HOST_NAME.matcher(host).matches()) {
                throw new ConfigException(section.key("host"), ConfigValues.quote(text) + " is not a host name", hostFix);
            }
        }
        boolean anonymous = section.has("anonymous")
                && ConfigValues.bool(section.key("anonymous"), section.get("anonymous"));
        Principals allow = principals(section, "allow", pacOff);
        Principals deny = principals(section, "deny", pacOff);
        if (anonymous && (allow != null || deny != null)) {
            throw new ConfigException(section.key(allow != null ? "allow" : "deny"),
                    "is set on an anonymous route, which authenticates nobody",
                    "remove it, or remove anonymous: true to check principals on this route");
        }
        return new Route(name, path, host, anonymous, allow, deny);
    }

    private static @Nullable Principals principals(YamlSection route, String name, boolean pacOff)
            throws ConfigException {
        if (!route.has(name)) {
            return null;
        }
        YamlSection section = route.section(name, PRINCIPALS_KEYS);
        List<String> principals = ConfigLoader.distinctList(section, "principals", ConfigValues::principal,
                "write principals: [alice@EXAMPLE.COM]");
        List<String> realms = ConfigLoader.distinctList(section, "realms", ConfigValues::realm,
                "write realms: [EXAMPLE.COM]");
        List<String> regex = ConfigLoader.distinctList(section, "regex", OperationsConfig::regex,
                "write regex: [\"^svc-.*@EXAMPLE\\\\.COM$\"]");
        List<String> groups = ConfigLoader.distinctList(section, "groups", OperationsConfig::sid,
                "write groups: [S-1-5-21-1004336348-1177238915-682003330-1104], the group SIDs");
        if (!groups.isEmpty() && pacOff) {
            throw new ConfigException(section.key("groups"), "needs the PAC's groups, and acceptor.pac is off",
                    "set acceptor.pac: verify (or require), or remove groups");
        }
        Principals set = new Principals(principals, realms, regex, groups);
        if (set.isEmpty()) {
            throw new ConfigException(section.path(), "lists no principals, realms, regex or groups",
                    "allow".equals(name)
                            ? "list who may pass, or remove allow to let every authenticated principal pass"
                            : "list who may not pass, or remove deny");
        }
        return set;
    }

    private static String sid(String key, JsonNode node) throws ConfigException {
        String fix = "write the group's SID, e.g. S-1-5-21-1004336348-1177238915-682003330-1104 "
                + "(Get-ADGroup web-users, or samba-tool group show web-users)";
        String text = ConfigValues.text(key, node, fix);
        if (text.length() > MAX_SID_LENGTH || !SID.matcher(text).matches()) {
            throw new ConfigException(key, ConfigValues.quote(text) + " is not a SID", fix);
        }
        return text;
    }

    private static String regex(String key, JsonNode node) throws ConfigException {
        String fix = "write a Java regular expression, quoted, e.g. \"^svc-.*\"";
        String text = ConfigValues.text(key, node, fix);
        try {
            Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new ConfigException(key, ConfigValues.quote(text) + " is not a regular expression ("
                    + e.getDescription() + " near index " + e.getIndex() + ")", fix);
        }
        return text;
    }

    static void write(GatewayConfig config, ObjectNode root) {
        root.putObject("logging").put("format", config.logging().format().name().toLowerCase(Locale.ROOT));
        ArrayNode routes = root.putArray("routes");
        for (Route route : config.routes()) {
            ObjectNode r = routes.addObject();
            r.put("name", route.name());
            r.put("path", route.path());
            if (route.host() != null) {
                r.put("host", route.host());
            }
            if (route.anonymous()) {
                r.put("anonymous", true);
            }
            writePrincipals(r, "allow", route.allow());
            writePrincipals(r, "deny", route.deny());
        }
    }

    private static void writePrincipals(ObjectNode route, String name, @Nullable Principals set) {
        if (set == null) {
            return;
        }
        ObjectNode node = route.putObject(name);
        set.principals().forEach(node.putArray("principals")::add);
        set.realms().forEach(node.putArray("realms")::add);
        set.regex().forEach(node.putArray("regex")::add);
        if (!set.groups().isEmpty()) {
            set.groups().forEach(node.putArray("groups")::add);
        }
    }
}
