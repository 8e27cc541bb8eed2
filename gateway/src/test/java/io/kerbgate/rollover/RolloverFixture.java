package io.kerbgate.rollover;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.rollover.kdc.MitKdcAdapter;
import io.kerbgate.testing.MitKdc;
import java.util.List;

/** Wiring shared by the rollover tests. */
final class RolloverFixture {

    private RolloverFixture() {}

    /** kadmin.local on the test KDC's own config; MitKdc keeps kdc.conf beside its krb5.conf. */
    static ArrayConfig.MitKdc mitConfig(MitKdc kdc) {
        return new ArrayConfig.MitKdc(true, null, null, kdc.krb5Conf(), kdc.krb5Conf().resolveSibling("kdc.conf"), null);
    }

    static MitKdcAdapter mitAdapter(MitKdc kdc, List<Enctype> enctypes) {
        return MitKdcAdapter.create(mitConfig(kdc), kdc.realm(), enctypes);
    }
}
