package io.kerbgate.rollover.kdc;

import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.rollover.KdcAdapter;
import io.kerbgate.rollover.KdcException;
import io.kerbgate.rollover.NewKey;
import java.time.Instant;
import java.util.Optional;
import org.apache.kerby.KOptions;
import org.apache.kerby.kerberos.kerb.KrbException;
import org.apache.kerby.kerberos.kerb.admin.kadmin.local.AdminHelper;
import org.apache.kerby.kerberos.kerb.admin.kadmin.local.LocalKadmin;
import org.apache.kerby.kerberos.kerb.request.KrbIdentity;
import org.apache.kerby.kerberos.kerb.type.base.EncryptionKey;
import org.apache.kerby.kerberos.kerb.type.base.EncryptionType;

/**
 * Apache Kerby's embedded KDC ({@code SimpleKdcServer.getKadmin()}), in the same process: the demo and tests roll
 * keys without MIT installed. Kerby takes keys as they are, so no password is needed or kept; it has no RFC 8009
 * (enctypes 19, 20), and an array file asking for them fails at the first commit with a message saying so.
 *
 * <p>Kerby's own {@code changePassword} keeps the kvno where it was, which would make a rolled key indistinguishable
 * from the old one to a node; this adapter writes the new keys under the kvno the rollover chose.
 */
public final class KerbyKdcAdapter implements KdcAdapter {

    private final LocalKadmin kadmin;

    public KerbyKdcAdapter(LocalKadmin kadmin) {
        this.kadmin = kadmin;
    }

    @Override
    public String describe() {
        return "kerby embedded";
    }

    @Override
    public boolean exists(String principal) throws KdcException {
        return identity(principal, false) != null;
    }

    @Override
    public int currentKvno(String principal) throws KdcException {
        KrbIdentity identity = identity(principal, true);
        int kvno = 0;
        for (EncryptionKey key : identity.getKeys().values()) {
            kvno = Math.max(kvno, key.getKvno());
        }
        return kvno;
    }

    @Override
    public String salt(String principal) {
        return Salts.mitDefault(principal);
    }

    @Override
    public boolean needsPassword() {
        return false;
    }

    @Override
    public int firstKvno() {
        return 1;
    }

    @Override
    public void create(String principal, NewKey key) throws KdcException {
        try {
            KrbIdentity identity = AdminHelper.createIdentity(principal, new KOptions());
            setKeys(identity, key);
            kadmin.getIdentityBackend().addIdentity(identity);
        } catch (KrbException e) {
            throw new KdcException(describe() + ": cannot create " + principal + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void commit(String principal, NewKey key) throws KdcException {
        KrbIdentity identity = identity(principal, true);
        try {
            setKeys(identity, key);
            kadmin.getIdentityBackend().updateIdentity(identity);
        } catch (KrbException e) {
            throw new KdcException(describe() + ": cannot set the keys of " + principal + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Instant> keyChangedAt(String principal) {
        return Optional.empty();
    }

    private static void setKeys(KrbIdentity identity, NewKey key) throws KdcException {
        // Replace, not add: an old key of an enctype no longer configured must not outlive the roll.
        identity.getKeys().clear();
        for (KerberosKey k : key.keys()) {
            EncryptionType type = EncryptionType.fromValue(k.enctype().id());
            if (type == EncryptionType.NONE) {
                throw new KdcException("kerby embedded cannot hold " + k.enctype().kerberosName()
                        + " keys (no RFC 8009 in Kerby 2.1): configure aes256-cts-hmac-sha1-96 and aes128-cts-hmac-sha1-96");
            }
            identity.addKey(new EncryptionKey(type, k.bytes(), key.kvno()));
        }
        identity.setKeyVersion(key.kvno());
    }

    private KrbIdentity identity(String principal, boolean required) throws KdcException {
        KrbIdentity identity;
        try {
            identity = kadmin.getPrincipal(principal);
        } catch (KrbException e) {
            throw new KdcException(describe() + ": cannot read " + principal + ": " + e.getMessage(), e);
        }
        if (identity == null && required) {
            throw new KdcException(describe() + ": principal " + principal + " does not exist");
        }
        return identity;
    }
}
