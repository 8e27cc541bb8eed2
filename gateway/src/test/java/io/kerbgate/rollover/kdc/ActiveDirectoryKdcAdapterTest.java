package io.kerbgate.rollover.kdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.rollover.ArrayConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The AD adapter's pure parts: salts, and the commands printed when the bind identity may not create the account. */
final class ActiveDirectoryKdcAdapterTest {

    private static ActiveDirectoryKdcAdapter adapter(String account) {
        return ActiveDirectoryKdcAdapter.create(new ArrayConfig.AdKdc(URI.create("ldaps://dc1.example.com"), account,
                null, null, "roll@example.com", Path.of("pw"), null, null, null, null), "EXAMPLE.COM",
                List.of(Enctype.AES256_CTS_HMAC_SHA1_96));
    }

    @Test
    void salts_userKeepsTheStoredCase_computerIsHostLowerNameDotDomain() {
        assertEquals("EXAMPLE.COMAsa-Array", ActiveDirectoryKdcAdapter.salt(new ActiveDirectoryKdcAdapter.Account(
                "CN=x", "Asa-Array", false, List.of(), 2, null, 24), "EXAMPLE.COM"));
        assertEquals("EXAMPLE.COMhostasa-array.example.com", ActiveDirectoryKdcAdapter.salt(
                new ActiveDirectoryKdcAdapter.Account("CN=x", "ASA-ARRAY$", true, List.of(), 2, null, 24),
                "EXAMPLE.COM"));
    }

    @Test
    void manualCommands_forAUser_andForAComputer() {
        String user = adapter("asa-array").manualCommands("HTTP/array.example.com");
        assertTrue(user.contains("samba-tool user create asa-array --random-password"), user);
        assertTrue(user.contains("samba-tool spn add HTTP/array.example.com asa-array"), user);
        assertTrue(user.contains("New-ADUser -Name asa-array"), user);
        assertTrue(user.contains("Set-ADUser asa-array -ServicePrincipalNames @{Add='HTTP/array.example.com'}"), user);
        assertTrue(user.contains("Set-ADAccountPassword 'asa-array' -Reset"), user);
        String computer = adapter("ASA-ARRAY$").manualCommands("HTTP/array.example.com");
        assertTrue(computer.contains("samba-tool computer create ASA-ARRAY"), computer);
        assertTrue(computer.contains("New-ADComputer -Name ASA-ARRAY -SamAccountName 'ASA-ARRAY$'"), computer);
    }
}
