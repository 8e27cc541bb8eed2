package io.kerbgate.keys;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.kerbgate.crypto.Enctype;
import java.util.List;

/**
 * What {@code GET /keys} answers: per principal, every key version the node accepts, its enctypes, when it was first
 * and last seen in the keytab, and whether it is in its grace period and until when. It is the status an operator
 * (and {@code kerbgate keys status}) checks before committing a new key to the KDC.
 *
 * <pre>
 * {"principals":[{"principal":"HTTP/array.example.test@ARRAY.TEST",
 *   "versions":[{"kvno":3,"enctypes":["aes256-cts-hmac-sha1-96"],"first_seen":"...","last_seen":"...",
 *                "in_grace":false,"retires_at":null}]}]}
 * </pre>
 */
public record KeysReport(List<PrincipalKeys> principals) {

    public record PrincipalKeys(String principal, List<Version> versions) {}

    public record Version(
            int kvno,
            List<String> enctypes,
            @JsonProperty("first_seen") String firstSeen,
            @JsonProperty("last_seen") String lastSeen,
            @JsonProperty("in_grace") boolean inGrace,
            @JsonProperty("retires_at") String retiresAt) {}

    public static KeysReport of(KeySet keys) {
        return new KeysReport(keys.principals().stream().sorted()
                .map(p -> new PrincipalKeys(p, keys.versions(p).stream().map(KeysReport::version).toList()))
                .toList());
    }

    private static Version version(KeyVersion v) {
        return new Version(v.kvno(), v.enctypes().stream().map(Enctype::describe).toList(), v.firstSeen().toString(),
                v.lastSeen().toString(), v.inGrace(), v.retiresAt().map(Object::toString).orElse(null));
    }
}
