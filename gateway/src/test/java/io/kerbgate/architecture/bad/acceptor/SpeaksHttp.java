package io.kerbgate.architecture.bad.acceptor;

import io.netty.handler.codec.http.HttpResponseStatus;

/** Breaks "the Kerberos core knows no HTTP": a refusal that carries its HTTP status. */
public final class SpeaksHttp {
    public HttpResponseStatus status() {
        return HttpResponseStatus.UNAUTHORIZED;
    }
}
