package io.eitrelay.core.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * OCSP over HTTP (RFC 6960 Appendix A.1): the DER request POSTed, the DER response read back. Plain
 * HTTP only, as stunnel (its OCSP client refuses https responders); no proxy and no redirects, so the
 * query goes where the certificate says. The answer's length is capped: it is read from the network.
 */
final class OcspHttp {
    static final String REQUEST_TYPE = "application/ocsp-request";
    static final String RESPONSE_TYPE = "application/ocsp-response";
    /** Real responses are 1-4 KB (a delegated responder's certificate included); anything far larger is not one. */
    static final int MAX_RESPONSE_BYTES = 256 * 1024;
    private static final int HTTP_OK = 200;

    private OcspHttp() {
    }

    static byte[] post(String url, byte[] request, Duration timeout) throws OcspException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new OcspException("not a URL: " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http")) {
            throw new OcspException("only http responders are supported (stunnel: TLS not supported for OCSP)");
        }
        if (uri.getHost() == null) {
            throw new OcspException("the URL names no host");
        }
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            connection.setConnectTimeout(millis);
            connection.setReadTimeout(millis);
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setDoOutput(true);
            connection.setRequestMethod("POST");
            connection.setRequestProperty("Content-Type", REQUEST_TYPE);
            connection.setRequestProperty("Accept", RESPONSE_TYPE);
            connection.setFixedLengthStreamingMode(request.length);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(request);
            }
            int status = connection.getResponseCode();
            if (status != HTTP_OK) {
                throw new OcspException("HTTP status " + status);
            }
            long declared = connection.getContentLengthLong();
            if (declared > MAX_RESPONSE_BYTES) {
                throw new OcspException("response of " + declared + " bytes is over the " + MAX_RESPONSE_BYTES + "-byte cap");
            }
            try (InputStream in = connection.getInputStream()) {
                return readCapped(in);
            }
        } catch (IOException e) {
            throw new OcspException(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static byte[] readCapped(InputStream in) throws IOException, OcspException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            if (body.size() + n > MAX_RESPONSE_BYTES) {
                throw new OcspException("response is over the " + MAX_RESPONSE_BYTES + "-byte cap");
            }
            body.write(buffer, 0, n);
        }
        return body.toByteArray();
    }
}
