package io.kerbgate.keys;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.kerbgate.crypto.Enctype;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a node's admin API answers to {@code GET /keys}: which kvnos of which principals it holds, never a key.
 * The rollover tool reads it to verify that a node loaded a new kvno, and {@code kerbgate keys status} to show nodes
 * side by side. The shape, with snake_case names and ISO-8601 UTC times:
 * <pre>{@code
 * {"principals": [
 *   {"principal": "HTTP/array.example.test@ARRAY.TEST",
 *    "versions": [
 *      {"kvno": 2, "enctypes": ["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"],
 *       "first_seen": "2026-11-25T08:00:00Z", "last_seen": "2026-11-25T09:00:00Z",
 *       "in_grace": true, "retires_at": "2026-11-25T19:05:00Z"},
 *      {"kvno": 3, "enctypes": ["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"],
 *       "first_seen": "2026-11-25T09:00:00Z", "last_seen": "2026-11-25T09:00:00Z",
 *       "in_grace": false, "retires_at": null}]}]}
 * }</pre>
 * A running gateway adds, per version, the tickets it accepted under it lately and, for a version in grace, the
 * seconds left until it is dropped:
 * <pre>{@code
 *       "accepted": {"last_5m": 42, "per_minute": [9, 8, 10, 7, 8]}, "seconds_until_retire": 36000
 * }</pre>
 * ({@code per_minute} starts with the current, partial minute.) Both are left out where unknown, e.g. in a report
 * made from a keytab alone.
 * Enctypes are MIT names; an enctype kerbgate does not know is its number as a string ({@code "26"}). Principals are
 * sorted, versions ascend by kvno. Readers ignore fields they do not know, so the shape can grow.
 */
public record KeysReport(List<PrincipalKeys> principals) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(new SimpleModule("kerbgate-keys-report")
                    .addSerializer(Instant.class, ToStringSerializer.instance)
                    .addDeserializer(Instant.class, new FromStringDeserializer<>(Instant.class) {
                        @Override
                        protected Instant _deserialize(String value, DeserializationContext ctxt) {
                            return Instant.parse(value);
                        }
                    }));

    public KeysReport {
        principals = List.copyOf(principals);
    }

    /** One principal and its versions. */
    public record PrincipalKeys(String principal, List<Version> versions) {
        public PrincipalKeys {
            Objects.requireNonNull(principal, "principal");
            versions = List.copyOf(versions);
        }
    }

    /** One key version as the node holds it; see {@link KeyVersion}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Version(int kvno, List<String> enctypes, @JsonProperty("first_seen") Instant firstSeen,
            @JsonProperty("last_seen") Instant lastSeen, @JsonProperty("in_grace") boolean inGrace,
            @JsonProperty("retires_at") @Nullable Instant retiresAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Accepted accepted,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("seconds_until_retire")
            @Nullable Long secondsUntilRetire) {
        public Version {
            enctypes = List.copyOf(enctypes);
        }

        /** A version as the keytab shows it, without the running gateway's traffic. */
        public Version(int kvno, List<String> enctypes, Instant firstSeen, Instant lastSeen, boolean inGrace,
                @Nullable Instant retiresAt) {
            this(kvno, enctypes, firstSeen, lastSeen, inGrace, retiresAt, null, null);
        }

        /** The enctype numbers of {@link #enctypes}; a name that is neither known nor a number is left out. */
        public List<Integer> enctypeIds() {
            List<Integer> ids = new ArrayList<>();
            for (String name : enctypes) {
                Enctype e = Enctype.fromName(name);
                if (e != null) {
                    ids.add(e.id());
                } else if (name.matches("-?\\d{1,6}")) {
                    ids.add(Integer.parseInt(name));
                }
            }
            return ids;
        }
    }

    /**
     * Tickets a version decrypted lately ({@link KvnoUsage}).
     *
     * @param last5m    the sum of {@code perMinute}
     * @param perMinute one count a minute, the current (partial) minute first
     */
    public record Accepted(@JsonProperty("last_5m") long last5m, @JsonProperty("per_minute") List<Long> perMinute) {
        public Accepted {
            perMinute = List.copyOf(perMinute);
        }
    }

    /**
     * The report of a running gateway: {@link #of(KeySet)} plus, per version, the tickets accepted under it lately
     * and the seconds until an in-grace version is dropped.
     */
    public static KeysReport of(KeySet keys, KvnoUsage usage, Instant now) {
        List<PrincipalKeys> principals = new ArrayList<>();
        for (PrincipalKeys p : of(keys).principals()) {
            List<Version> versions = new ArrayList<>();
            for (Version v : p.versions()) {
                long[] counts = usage.perMinute(p.principal(), v.kvno());
                List<Long> perMinute = new ArrayList<>();
                long sum = 0;
                for (long c : counts) {
                    perMinute.add(c);
                    sum += c;
                }
                Long untilRetire = v.retiresAt() == null ? null
                        : Math.max(0, Duration.between(now, v.retiresAt()).toSeconds());
                versions.add(new Version(v.kvno(), v.enctypes(), v.firstSeen(), v.lastSeen(), v.inGrace(),
                        v.retiresAt(), new Accepted(sum, perMinute), untilRetire));
            }
            principals.add(new PrincipalKeys(p.principal(), versions));
        }
        return new KeysReport(principals);
    }

    /** The report of a key set: every principal, every version, current and in grace. */
    public static KeysReport of(KeySet keys) {
        List<PrincipalKeys> principals = new ArrayList<>();
        for (String principal : keys.principals()) {
            List<Version> versions = new ArrayList<>();
            for (KeyVersion v : keys.versions(principal)) {
                List<String> enctypes = new ArrayList<>();
                for (int id : v.enctypes()) {
                    Enctype e = Enctype.fromId(id);
                    enctypes.add(e == null ? Integer.toString(id) : e.kerberosName());
                }
                versions.add(new Version(v.kvno(), enctypes, v.firstSeen(), v.lastSeen(), v.inGrace(),
                        v.retiresAt().orElse(null)));
            }
            principals.add(new PrincipalKeys(principal, versions));
        }
        return new KeysReport(principals);
    }

    /** The versions of {@code principal}, or none. */
    public List<Version> versions(String principal) {
        return principals.stream().filter(p -> p.principal().equals(principal)).findFirst()
                .map(PrincipalKeys::versions).orElse(List.of());
    }

    public Optional<Version> version(String principal, int kvno) {
        return versions(principal).stream().filter(v -> v.kvno() == kvno).findFirst();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a KeysReport always serialises", e);
        }
    }

    /** @throws IllegalArgumentException when {@code json} is not a report of this shape */
    public static KeysReport fromJson(String json) {
        try {
            KeysReport report = JSON.readValue(json, KeysReport.class);
            if (report.principals() == null) {
                throw new IllegalArgumentException("no \"principals\" in the report");
            }
            return report;
        } catch (JsonProcessingException | NullPointerException e) {
            throw new IllegalArgumentException("not a /keys report: " + e.getMessage(), e);
        }
    }
}
