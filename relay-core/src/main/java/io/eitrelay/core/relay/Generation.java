package io.eitrelay.core.relay;

import io.eitrelay.core.config.EndpointConfig;
import io.netty.handler.ssl.SslContext;

/**
 * One version of an endpoint's settings. A connection takes the current generation when it is
 * accepted and keeps it to the end, so a reload (SIGHUP, rotated certificates) applies to new
 * connections without touching established ones.
 */
record Generation(EndpointConfig config, SslContext sslContext, TargetDialer dialer) {
}
