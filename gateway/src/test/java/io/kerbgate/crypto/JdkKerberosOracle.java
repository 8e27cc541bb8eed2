package io.kerbgate.crypto;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The JDK's own Kerberos crypto ({@code sun.security.krb5}, which has RFC 8009 since JDK 12) as a line-oriented
 * oracle for {@link JdkInteropTest}. It runs in a child JVM started with {@code --add-exports}, so the gateway's
 * surefire configuration needs no change; it uses reflection so that compiling it needs no export either.
 *
 * <p>Requests, one per line, all byte strings in hex: {@code enc etype usage key plain}, {@code dec etype usage key
 * cipher}, {@code cksum cksumtype usage etype key data}, {@code s2k algorithm password salt}. Answers: {@code ok hex}
 * or {@code err message}.
 */
public final class JdkKerberosOracle {
    private static final HexFormat HEX = HexFormat.of();

    private final Constructor<?> newKey;
    private final Constructor<?> newPasswordKey;
    private final Constructor<?> sealData;
    private final Constructor<?> wrapCipher;
    private final Constructor<?> newChecksum;
    private final Method decrypt;
    private final Method cipherBytes;
    private final Method keyBytes;
    private final Method checksumBytes;

    private JdkKerberosOracle() throws ReflectiveOperationException {
        Class<?> key = Class.forName("sun.security.krb5.EncryptionKey");
        Class<?> data = Class.forName("sun.security.krb5.EncryptedData");
        Class<?> checksum = Class.forName("sun.security.krb5.Checksum");
        newKey = key.getConstructor(byte[].class, int.class, Integer.class);
        newPasswordKey = key.getConstructor(char[].class, String.class, String.class);
        sealData = data.getConstructor(key, byte[].class, int.class);
        wrapCipher = data.getConstructor(int.class, Integer.class, byte[].class);
        newChecksum = checksum.getConstructor(int.class, byte[].class, key, int.class);
        decrypt = data.getMethod("decrypt", key, int.class);
        cipherBytes = data.getMethod("getBytes");
        keyBytes = key.getMethod("getBytes");
        checksumBytes = checksum.getMethod("getBytes");
    }

    public static void main(String[] args) throws Exception {
        JdkKerberosOracle oracle = new JdkKerberosOracle();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        out.println("ready");
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            try {
                out.println("ok " + HEX.formatHex(oracle.answer(line.split(" ", -1))));
            } catch (InvocationTargetException e) {
                out.println("err " + e.getCause());
            }
        }
    }

    private byte[] answer(String[] request) throws ReflectiveOperationException {
        switch (request[0]) {
            case "enc": {
                Object key = key(request[1], request[3]);
                Object sealed = sealData.newInstance(key, HEX.parseHex(request[4]), Integer.parseInt(request[2]));
                return (byte[]) cipherBytes.invoke(sealed);
            }
            case "dec": {
                Object key = key(request[1], request[3]);
                Object sealed = wrapCipher.newInstance(Integer.parseInt(request[1]), null, HEX.parseHex(request[4]));
                return (byte[]) decrypt.invoke(sealed, key, Integer.parseInt(request[2]));
            }
            case "cksum": {
                Object key = key(request[3], request[4]);
                Object checksum = newChecksum.newInstance(Integer.parseInt(request[1]), HEX.parseHex(request[5]),
                        key, Integer.parseInt(request[2]));
                return (byte[]) checksumBytes.invoke(checksum);
            }
            case "s2k": {
                char[] password = new String(HEX.parseHex(request[2]), StandardCharsets.UTF_8).toCharArray();
                String salt = new String(HEX.parseHex(request[3]), StandardCharsets.UTF_8);
                return (byte[]) keyBytes.invoke(newPasswordKey.newInstance(password, salt, request[1]));
            }
            default:
                throw new IllegalArgumentException(request[0]);
        }
    }

    private Object key(String etype, String hex) throws ReflectiveOperationException {
        return newKey.newInstance(HEX.parseHex(hex), Integer.parseInt(etype), null);
    }
}
