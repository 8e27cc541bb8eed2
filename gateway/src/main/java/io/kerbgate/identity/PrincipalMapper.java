package io.kerbgate.identity;

import io.kerbgate.config.GatewayConfig;
import io.kerbgate.messages.PrincipalName;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps an authenticated principal to the name the backends receive, as Apache's {@code GssapiLocalName} and MIT's
 * {@code auth_to_local} do. The principal is in the display form of RFC 1964 §2.1.1
 * ({@link io.kerbgate.messages.PrincipalName#withRealm}): {@code /}, {@code @} and {@code \} inside a component are
 * escaped with a backslash, so a component {@code alice@ARRAY.TEST} in realm {@code PARTNER} is
 * {@code alice\@ARRAY.TEST@PARTNER}, never {@code alice@ARRAY.TEST}. Rules see, and produce, that form.
 *
 * <ol>
 *   <li>the rules ({@code identity.rules}) are tried in order; the first whose {@code match} is found in the principal
 *       decides, and the name is the principal with that first match replaced by {@code replace} ({@code $1}.. for
 *       groups). A rule whose result would be empty is passed over;
 *   <li>when no rule matched and {@code identity.strip_realm} is on, the realm goes if it is a local realm
 *       ({@code identity.local_realms}, by default the realms of the keytab's principals): {@code alice@EXAMPLE.COM}
 *       → {@code alice}. A principal of any other realm keeps its realm: {@code alice@PARTNER} is not the local
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
 * <p>Thread-safe (a {@link Matcher} per call; the local realms of the keytab are recomputed when its principals
 * change).
 */
public final class PrincipalMapper {

    /** Forwards every principal as it is. */
    public static final PrincipalMapper UNCHANGED = new PrincipalMapper(false, List.of(), Set.of(), Set::of);

    private record CompiledRule(Pattern match, String replace) {}

    /** The realms derived from one set of keytab principals; that set is compared by identity. */
    private record Derived(Collection<String> principals, Set<String> realms) {}

    private final boolean stripRealm;
    private final List<CompiledRule> rules;
    private final Set<String> configuredRealms;
    private final Supplier<? extends Collection<String>> keytabPrincipals;
    private volatile Derived derived = new Derived(List.of(), Set.of());

    private PrincipalMapper(boolean stripRealm, List<CompiledRule> rules, Set<String> configuredRealms,
                            Supplier<? extends Collection<String>> keytabPrincipals) {
        this.stripRealm = stripRealm;
        this.rules = rules;
        this.configuredRealms = configuredRealms;
        this.keytabPrincipals = keytabPrincipals;
    }

    /**
     * The mapper of {@code identity} without a keytab: only {@code identity.local_realms} are stripped.
     *
     * @throws java.util.regex.PatternSyntaxException for a rule the loader did not check
     */
    public static PrincipalMapper of(GatewayConfig.Identity identity) {
        return of(identity, Set::of);
    }

    /**
     * The mapper of {@code identity}; its rules were checked by the config loader.
     *
     * @param keytabPrincipals the keytab's acceptor principals now (display form); their realms are the local realms
     *                         when {@code identity.local_realms} is not set. Read at every stripped request, so it must
     *                         be cheap and return the same collection while the keys do not change
     * @throws java.util.regex.PatternSyntaxException for a rule the loader did not check
     */
    public static PrincipalMapper of(GatewayConfig.Identity identity,
                                     Supplier<? extends Collection<String>> keytabPrincipals) {
        if (!identity.stripRealm() && identity.rules().isEmpty()) {
            return UNCHANGED;
        }
        return new PrincipalMapper(identity.stripRealm(), identity.rules().stream()
                .map(r -> new CompiledRule(Pattern.compile(r.match()), r.replace())).toList(),
                Set.copyOf(identity.localRealms()), keytabPrincipals);
    }

    /** The name forwarded for {@code principal} ({@code name@REALM}, in display form). */
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
            int at = PrincipalName.realmSeparator(principal);
            if (at > 0 && localRealms().contains(PrincipalName.realmOf(principal))) {
                return principal.substring(0, at);
            }
        }
        return principal;
    }

    /** The realms whose principals lose their realm: {@code identity.local_realms}, or the keytab's realms. */
    public Set<String> localRealms() {
        if (!configuredRealms.isEmpty()) {
            return configuredRealms;
        }
        Collection<String> principals = keytabPrincipals.get();
        Derived d = derived;
        if (d.principals() != principals) {
            Set<String> realms = new HashSet<>();
            for (String p : principals) {
                realms.add(PrincipalName.realmOf(p));
            }
            realms.remove("");
            d = new Derived(principals, Set.copyOf(realms));
            derived = d;
        }
        return d.realms();
    }
}
