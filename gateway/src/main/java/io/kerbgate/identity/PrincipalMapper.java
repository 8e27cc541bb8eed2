package io.kerbgate.identity;

import io.kerbgate.config.GatewayConfig;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps an authenticated principal to the name the backends receive, as Apache's {@code GssapiLocalName} and MIT's
 * {@code auth_to_local} do:
 *
 * <ol>
 *   <li>the rules ({@code identity.rules}) are tried in order; the first whose {@code match} is found in the principal
 *       decides, and the name is the principal with that first match replaced by {@code replace} ({@code $1}.. for
 *       groups). A rule whose result would be empty is passed over;
 *   <li>when no rule matched and {@code identity.strip_realm} is on, the realm goes: {@code alice@EXAMPLE.COM} →
 *       {@code alice};
 *   <li>otherwise the principal is forwarded unchanged.
 * </ol>
 *
 * <pre>
 * rules: [{match: "^(.*)@CORP\\.EXAMPLE\\.COM$", replace: "$1"}]
 *   alice@CORP.EXAMPLE.COM  → alice
 *   bob@EXAMPLE.COM         → bob@EXAMPLE.COM
 * </pre>
 *
 * <p>Immutable and thread-safe (a {@link Matcher} per call).
 */
public final class PrincipalMapper {

    /** Forwards every principal as it is. */
    public static final PrincipalMapper UNCHANGED = new PrincipalMapper(false, List.of());

    private record CompiledRule(Pattern match, String replace) {}

    private final boolean stripRealm;
    private final List<CompiledRule> rules;

    private PrincipalMapper(boolean stripRealm, List<CompiledRule> rules) {
        this.stripRealm = stripRealm;
        this.rules = rules;
    }

    /**
     * The mapper of {@code identity}; its rules were checked by the config loader.
     *
     * @throws java.util.regex.PatternSyntaxException for a rule the loader did not check
     */
    public static PrincipalMapper of(GatewayConfig.Identity identity) {
        if (!identity.stripRealm() && identity.rules().isEmpty()) {
            return UNCHANGED;
        }
        return new PrincipalMapper(identity.stripRealm(), identity.rules().stream()
                .map(r -> new CompiledRule(Pattern.compile(r.match()), r.replace())).toList());
    }

    /** The name forwarded for {@code principal} ({@code name@REALM}). */
    public String map(String principal) {
        for (CompiledRule rule : rules) {
            Matcher m = rule.match().matcher(principal);
            if (m.find()) {
                String mapped = m.replaceFirst(rule.replace());
                if (!mapped.isEmpty()) {
                    return mapped;
                }
            }
        }
        if (stripRealm) {
            int at = principal.lastIndexOf('@');
            if (at > 0) {
                return principal.substring(0, at);
            }
        }
        return principal;
    }
}
