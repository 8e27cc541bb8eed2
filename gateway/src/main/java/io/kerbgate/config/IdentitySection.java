package io.kerbgate.config;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.kerbgate.config.GatewayConfig.Assertion;
import io.kerbgate.config.GatewayConfig.AssertionType;
import io.kerbgate.config.GatewayConfig.Identity;
import io.kerbgate.config.GatewayConfig.Rule;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/** The {@code identity} section as it is written: how the principal, its groups and an assertion reach backends. */
record IdentitySection(
        @JsonDeserialize(using = Scalars.HeaderName.class) @Nullable String header,
        @JsonDeserialize(using = Scalars.HeaderName.class) @Nullable String groupsHeader,
        @Nullable Boolean stripRealm,
        @Fix(IdentitySection.LOCAL_REALMS_FIX) @JsonDeserialize(contentUsing = Scalars.Realm.class)
        @Nullable List<String> localRealms,
        @Fix(IdentitySection.RULES_FIX) @Nullable List<RuleSection> rules,
        @Nullable AssertionSection assertion,
        @Nullable GroupNamesSection groupNames,
        @JsonDeserialize(using = Scalars.HeaderName.class) @Nullable String groupNamesHeader) {

    static final String LOCAL_REALMS_FIX = "write local_realms: [ARRAY.TEST], the realms whose users are this site's"
            + " users; leave it out for the realms of the keytab's principals";
    static final String RULES_FIX = "write rules: [{match: \"^(.*)@CORP\\\\.EXAMPLE\\\\.COM$\", replace: \"$1\"}]";

    IdentitySection {
        header = header == null ? Identity.DEFAULT.header() : header;
        if (groupsHeader != null && groupsHeader.equalsIgnoreCase(header)) {
            throw new InvalidValue("groups_header", "is the identity header",
                    "give the groups their own header, e.g. X-Remote-Groups");
        }
        stripRealm = stripRealm != null && stripRealm;
        if (localRealms != null && localRealms.isEmpty()) {
            throw new InvalidValue("local_realms", "is empty",
                    "list at least one realm, or leave local_realms out for the realms of the keytab's principals");
        }
        localRealms = Checks.distinct("local_realms", localRealms);
        rules = rules == null ? List.of() : rules;
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i) == null) {
                throw new InvalidValue("rules[" + i + "].match", "is missing", RULES_FIX);
            }
        }
        rules = List.copyOf(rules);
        if (assertion != null) {
            String fix = "give the assertion a header of its own, e.g. " + Assertion.DEFAULT_HEADER;
            if (assertion.header().equalsIgnoreCase(header)) {
                throw new InvalidValue("assertion.header", ConfigValues.quote(assertion.header())
                        + " is the identity header", fix);
            }
            if (assertion.header().equalsIgnoreCase(groupsHeader)) {
                throw new InvalidValue("assertion.header", ConfigValues.quote(assertion.header())
                        + " is the groups header", fix);
            }
        }
        if (groupNamesHeader != null) {
            if (groupNames == null) {
                throw new InvalidValue("group_names_header", "needs identity.group_names",
                        "add group_names: {ldap: ldaps://..., bind: {...}, base_dn: ...}, or remove group_names_header");
            }
            for (String other : new String[] {header, groupsHeader,
                    assertion == null ? Assertion.DEFAULT_HEADER : assertion.header()}) {
                if (groupNamesHeader.equalsIgnoreCase(other)) {
                    throw new InvalidValue("group_names_header", "is another identity header",
                            "give the group names their own header, e.g. X-Remote-Group-Names");
                }
            }
        }
    }

    Identity identity() {
        return new Identity(header, groupsHeader, stripRealm, rules.stream().map(RuleSection::rule).toList(),
                assertion == null ? null : assertion.assertion(),
                groupNames == null ? null : groupNames.groupNames(), groupNamesHeader, localRealms);
    }

    /** A principal mapping rule: {@code match} a Java regular expression, {@code replace} with its groups. */
    record RuleSection(
            @Fix(RULES_FIX) @Nullable String match,
            @JsonDeserialize(using = Replacement.class) @Nullable String replace) {
        RuleSection {
            Checks.require("match", match, RULES_FIX);
            Pattern pattern;
            try {
                pattern = Pattern.compile(match);
            } catch (PatternSyntaxException e) {
                throw new InvalidValue("match", ConfigValues.quote(match) + " is not a regular expression ("
                        + e.getDescription() + ")",
                        "write a Java regular expression; in double quotes, \\\\. is a literal dot");
            }
            Checks.require("replace", replace, RULES_FIX);
            String problem = ConfigValues.replacementProblem(replace, pattern.matcher("").groupCount());
            if (problem != null) {
                throw new InvalidValue("replace", ConfigValues.quote(replace) + " " + problem,
                        "refer to groups of match as $1..$n, and write \\$ for a dollar sign");
            }
        }

        Rule rule() {
            return new Rule(match, replace);
        }
    }

    /** The replacement of a rule: any string, even empty, as it is written (not stripped). */
    static final class Replacement extends NodeReader<String> {
        @Override
        protected String convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            if (!node.isTextual()) {
                throw new ConfigException("", ConfigValues.describe(node) + " is not a string",
                        "write the replacement in quotes, e.g. \"$1\"");
            }
            return node.textValue();
        }
    }

    /** A signed copy of the identity for backends: {@code type}, the shared key and the header that carries it. */
    record AssertionSection(
            @Fix(AssertionSection.TYPE_FIX) @Nullable String type,
            @Fix(AssertionSection.KEY_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class) @Nullable Path keyFile,
            @JsonDeserialize(using = Scalars.HeaderName.class) @Nullable String header) {

        static final String TYPE_FIX = "write type: hmac or type: jwt";
        static final String KEY_FIX = "write key_file: /etc/kerbgate/assertion.key, made with openssl rand -out FILE 32";
        /** The smallest HMAC key accepted: RFC 2104 §3 asks for at least the hash's output length (32 for SHA-256). */
        static final int MIN_KEY_BYTES = 32;

        AssertionSection {
            Checks.require("type", type, TYPE_FIX);
            if (!type.equalsIgnoreCase("hmac") && !type.equalsIgnoreCase("jwt")) {
                throw new InvalidValue("type", ConfigValues.quote(type) + " is not an assertion type", TYPE_FIX);
            }
            Path file = Checks.require("key_file", keyFile, KEY_FIX);
            long size = InvalidValue.check(() -> {
                FileChecks.existingFile("key_file", file, KEY_FIX);
                long bytes = FileChecks.size("key_file", file, KEY_FIX);
                ConfigValues.requirePrivate("key_file", file);
                return bytes;
            });
            if (size < MIN_KEY_BYTES) {
                throw new InvalidValue("key_file", file + " holds " + size + " bytes, fewer than " + MIN_KEY_BYTES,
                        "make a longer key: openssl rand -out " + file + " 32");
            }
            header = header == null ? Assertion.DEFAULT_HEADER : header;
        }

        Assertion assertion() {
            return new Assertion(AssertionType.valueOf(type.toUpperCase(Locale.ROOT)), keyFile, header);
        }
    }
}
