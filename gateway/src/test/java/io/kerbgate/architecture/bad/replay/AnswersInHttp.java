package io.kerbgate.architecture.bad.replay;

import io.netty.handler.codec.http.HttpResponseStatus;

/** Breaks "the replay caches know no HTTP": an unavailable store answered as a 503 here, not at the edge. */
public final class AnswersInHttp {
    public HttpResponseStatus unavailable() {
        return HttpResponseStatus.SERVICE_UNAVAILABLE;
    }
}
