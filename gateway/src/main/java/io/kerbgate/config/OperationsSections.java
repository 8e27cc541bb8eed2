package io.kerbgate.config;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kerbgate.config.GatewayConfig.Logging;
import io.kerbgate.config.GatewayConfig.Principals;
import io.kerbgate.config.GatewayConfig.Route;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The operations sections of the file, {@code logging} and {@code routes}, as they are written.
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
 * {@code acceptor.pac: verify} or {@code require} ({@link ConfigFile} checks that, with both sections at hand).
 */
final class OperationsSections {

    static final int MAX_ROUTES = 1_000;
    static final String ROUTES_FIX =
            "write routes as a list, e.g. routes: [{name: health, path: /healthz, anonymous: true}]";
    /** The {@code route} tag of requests that match no route. */
    static final String NO_ROUTE = "none";

    /** Route names become a metric tag and a log field: short, lower case, no spaces. */
    private static final Pattern ROUTE_NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    // RFC 3986 path characters, without '?' and '#' (a prefix has no query) and without '%' (prefixes are compared
    // with the decoded path, so they are written decoded).
    private static final Pattern ROUTE_PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@/-]*");
    private static final Pattern HOST_NAME =
            Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    /** A SID in its string form, {@code S-1-5-21-...-1104} (MS-DTYP 2.4.2.1, decimal authority). */
    private static final Pattern SID = Pattern.compile("^S-1-\\d+(-\\d+)+$");
    private static final int MAX_SID_LENGTH = 184;
    private static final String FORMAT_FIX = "write format: plain (the default) or format: json";
    static final String NAME_FIX = "name it with lower-case letters, digits, '_', '.' or '-', e.g. name: admin";
    private static final String PATH_FIX = "write the path prefix, decoded, starting with /, e.g. path: /admin/";
    private static final String HOST_FIX =
            "write a host name alone, without port or scheme, e.g. host: intranet.example.test";

    private OperationsSections() {}

    record LoggingSection(@Fix(FORMAT_FIX) @Nullable String format) {
        LoggingSection {
            if (format != null && !format.equals("plain") && !format.equals("json")) {
                throw new InvalidValue("format", ConfigValues.quote(format) + " is not a log format", FORMAT_FIX);
            }
        }

        Logging logging() {
            return format == null ? Logging.DEFAULT : new Logging(Logging.Format.valueOf(format.toUpperCase(Locale.ROOT)));
        }
    }

    /** One access rule: a path prefix, perhaps a host, and who may pass. */
    record RouteSection(
            @Fix(NAME_FIX) @Nullable String name,
            @Fix(PATH_FIX) @Nullable String path,
            @Fix(HOST_FIX) @Nullable String host,
            @Nullable Boolean anonymous,
            @Nullable PrincipalsSection allow,
            @Nullable PrincipalsSection deny) {
        RouteSection {
            Checks.require("name", name, NAME_FIX);
            if (!ROUTE_NAME.matcher(name).matches()) {
                throw new InvalidValue("name", ConfigValues.quote(name) + " is not a route name", NAME_FIX);
            }
            if (name.equals(NO_ROUTE)) {
                throw new InvalidValue("name", "\"none\" is reserved: it tags requests that match no route",
                        "choose another name");
            }
            Checks.require("path", path, PATH_FIX);
            if (!ROUTE_PATH.matcher(path).matches()) {
                throw new InvalidValue("path", ConfigValues.quote(path) + " is not a path prefix", PATH_FIX);
            }
            if (path.contains("//") || path.contains("/./") || path.contains("/../") || path.endsWith("/.")
                    || path.endsWith("/..")) {
                throw new InvalidValue("path", ConfigValues.quote(path) + " is not a normalized path",
                        "remove '//', '.' and '..' segments: requests are matched after the same normalization");
            }
            if (host != null) {
                String text = host;
                host = host.toLowerCase(Locale.ROOT);
                if (!HOST_NAME.matcher(host).matches()) {
                    throw new InvalidValue("host", ConfigValues.quote(text) + " is not a host name", HOST_FIX);
                }
            }
            anonymous = anonymous != null && anonymous;
            if (allow != null && allow.isEmpty()) {
                throw new InvalidValue("allow", "lists no principals, realms, regex or groups",
                        "list who may pass, or remove allow to let every authenticated principal pass");
            }
            if (deny != null && deny.isEmpty()) {
                throw new InvalidValue("deny", "lists no principals, realms, regex or groups",
                        "list who may not pass, or remove deny");
            }
            if (anonymous && (allow != null || deny != null)) {
                throw new InvalidValue(allow != null ? "allow" : "deny",
                        "is set on an anonymous route, which authenticates nobody",
                        "remove it, or remove anonymous: true to check principals on this route");
            }
        }

        Route route() {
            return new Route(name, path, host, anonymous, allow == null ? null : allow.set(),
                    deny == null ? null : deny.set());
        }
    }

    /** Who a route lets pass or turns away: a principal that matches any entry. */
    record PrincipalsSection(
            @Fix("write principals: [alice@EXAMPLE.COM]") @JsonDeserialize(contentUsing = Scalars.Principal.class)
            @Nullable List<String> principals,
            @Fix("write realms: [EXAMPLE.COM]") @JsonDeserialize(contentUsing = Scalars.Realm.class)
            @Nullable List<String> realms,
            @Fix("write regex: [\"^svc-.*@EXAMPLE\\\\.COM$\"]") @JsonDeserialize(contentUsing = Regex.class)
            @Nullable List<String> regex,
            @Fix("write groups: [S-1-5-21-1004336348-1177238915-682003330-1104], the group SIDs")
            @JsonDeserialize(contentUsing = Sid.class) @Nullable List<String> groups) {
        PrincipalsSection {
            principals = Checks.distinct("principals", principals);
            realms = Checks.distinct("realms", realms);
            regex = Checks.distinct("regex", regex);
            groups = Checks.distinct("groups", groups);
        }

        boolean isEmpty() {
            return principals.isEmpty() && realms.isEmpty() && regex.isEmpty() && groups.isEmpty();
        }

        Principals set() {
            return new Principals(principals, realms, regex, groups);
        }
    }

    static final class Sid extends NodeReader<String> {
        @Override
        protected String convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            String fix = "write the group's SID, e.g. S-1-5-21-1004336348-1177238915-682003330-1104 "
                    + "(Get-ADGroup web-users, or samba-tool group show web-users)";
            String text = ConfigValues.text("", node, fix);
            if (text.length() > MAX_SID_LENGTH || !SID.matcher(text).matches()) {
                throw new ConfigException("", ConfigValues.quote(text) + " is not a SID", fix);
            }
            return text;
        }
    }

    static final class Regex extends NodeReader<String> {
        @Override
        protected String convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            String fix = "write a Java regular expression, quoted, e.g. \"^svc-.*\"";
            String text = ConfigValues.text("", node, fix);
            try {
                Pattern.compile(text);
            } catch (PatternSyntaxException e) {
                throw new ConfigException("", ConfigValues.quote(text) + " is not a regular expression ("
                        + e.getDescription() + " near index " + e.getIndex() + ")", fix);
            }
            return text;
        }
    }
}
