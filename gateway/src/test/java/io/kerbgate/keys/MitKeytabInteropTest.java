package io.kerbgate.keys;

import static io.kerbgate.keys.Keytabs.AES128;
import static io.kerbgate.keys.Keytabs.AES256;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kerbgate.keys.MitTools.KlistEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keytabs written by MIT krb5 read here, and keytabs written here read by MIT krb5. Skipped without the tools. */
final class MitKeytabInteropTest {

    private static final Map<Integer, String> ENCTYPE_NAMES =
            Map.of(AES128, "aes128-cts-hmac-sha1-96", AES256, "aes256-cts-hmac-sha1-96");

    @TempDir
    Path dir;

    @Test
    void ktutilKeytab_withKvnos300And200_readsAsKlistShowsIt() throws Exception {
        String ktutil = MitTools.require("ktutil", "krb5-user");
        Path keytab = dir.resolve("ktutil.keytab");
        MitTools.run(dir, Map.of(), String.join("\n",
                        "addent -password -p HTTP/array.example.test@ARRAY.TEST -k 300 -e aes256-cts-hmac-sha1-96",
                        "secret one",
                        "addent -password -p HTTP/array.example.test@ARRAY.TEST -k 200 -e aes128-cts-hmac-sha1-96",
                        "secret two",
                        "wkt " + keytab,
                        "quit", ""),
                ktutil);

        List<KeytabEntry> entries = KeytabFile.parse(Files.readAllBytes(keytab));

        assertEquals(MitTools.klist(keytab), asKlist(entries));
        assertEquals(List.of(300, 200), entries.stream().map(KeytabEntry::kvno).toList());
    }

    @Test
    void ourKeytab_withKvnos200And70000_readsInKlistAndSurvivesKtutil() throws Exception {
        String ktutil = MitTools.require("ktutil", "krb5-user");
        List<KeytabEntry> written = List.of(
                Keytabs.entry(Keytabs.HTTP, 200, AES256, 0xA5),
                Keytabs.entry(Keytabs.HTTP, 70_000, AES128, 0x5A),
                Keytabs.entry("host/node1.example.test@ARRAY.TEST", 3, AES256, 0x33));
        Path ours = dir.resolve("ours.keytab");
        KeytabFile.writeAtomically(ours, written);

        assertEquals(asKlist(written), MitTools.klist(ours));

        Path copy = dir.resolve("copy.keytab");
        MitTools.run(dir, Map.of(), "rkt " + ours + "\nwkt " + copy + "\nquit\n", ktutil);
        assertEquals(written.stream().map(MitKeytabInteropTest::withoutTimestamp).toList(),
                KeytabFile.parse(Files.readAllBytes(copy)).stream().map(MitKeytabInteropTest::withoutTimestamp).toList());
    }

    @Test
    void kadminKeytab_afterKtremove_skipsTheHolesMitLeaves() throws Exception {
        String kdb5Util = MitTools.require("kdb5_util", "krb5-kdc");
        String kadmin = MitTools.require("kadmin.local", "krb5-kdc");
        Path conf = dir.resolve("krb5.conf");
        Files.writeString(conf, String.join("\n",
                "[libdefaults]", " default_realm = ARRAY.TEST",
                "[realms]", " ARRAY.TEST = {",
                "  database_name = " + dir.resolve("principal"),
                "  key_stash_file = " + dir.resolve("stash"),
                "  acl_file = " + dir.resolve("kadm5.acl"),
                " }", ""));
        Map<String, String> env = Map.of("KRB5_CONFIG", conf.toString(), "KRB5_KDC_PROFILE", conf.toString());
        Path keytab = dir.resolve("http.keytab");
        MitTools.run(dir, env, "", kdb5Util, "create", "-s", "-r", "ARRAY.TEST", "-P", "master-password");
        MitTools.run(dir, env, "", kadmin, "-r", "ARRAY.TEST", "-q", "addprinc -randkey HTTP/array.example.test");
        for (int i = 0; i < 2; i++) { // kvno 2, then kvno 3
            MitTools.run(dir, env, "", kadmin, "-r", "ARRAY.TEST", "-q",
                    "ktadd -k " + keytab + " -e aes256-cts:normal,aes128-cts:normal HTTP/array.example.test");
        }
        MitTools.run(dir, env, "", kadmin, "-r", "ARRAY.TEST", "-q", "ktremove -k " + keytab
                + " HTTP/array.example.test old");
        byte[] bytes = Files.readAllBytes(keytab);

        List<KeytabEntry> entries = KeytabFile.parse(bytes);

        assertEquals(-1, bytes[2], "ktremove should have left a hole (negative size) first");
        assertEquals(MitTools.klist(keytab), asKlist(entries));
        assertEquals(List.of(3, 3), entries.stream().map(KeytabEntry::kvno).toList());
    }

    private static List<KlistEntry> asKlist(List<KeytabEntry> entries) {
        return entries.stream()
                .map(e -> new KlistEntry(e.kvno(), e.principal(), ENCTYPE_NAMES.get(e.enctype()),
                        HexFormat.of().formatHex(e.key())))
                .toList();
    }

    private static KeytabEntry withoutTimestamp(KeytabEntry e) {
        return new KeytabEntry(e.principal(), e.nameType(), 0, e.kvno(), e.enctype(), e.key());
    }
}
