/**
 * {@code kerbgate demo}: Kerby's embedded KDC, two small backends, the gateway and the JDK's Kerberos client on one
 * machine. Only the demo loads the embedded KDC; the gateway's request path never does.
 */
package io.kerbgate.demo;
