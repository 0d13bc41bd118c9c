package org.humpback.rest;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Honours a request's {@code Connection: close} (RFC 9112 §9.6): Helidon 4.1 answers with {@code Connection: close}
 * but keeps reading the socket, so a client that waits for the close (as HTTP/1.1 allows) hangs. Once the response
 * is sent, the connection is closed through Helidon's public {@link CloseConnectionException}.
 */
final class ConnectionCloseFilter implements Filter {

  @Override
  public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    try {
      chain.proceed();
    } finally {
      if (req.headers().contains(HeaderValues.CONNECTION_CLOSE) && res.isSent()) {
        throw new CloseConnectionException("Connection: close requested by the client");
      }
    }
  }
}
