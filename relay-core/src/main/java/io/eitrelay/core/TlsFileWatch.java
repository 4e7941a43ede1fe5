package io.eitrelay.core;

import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.KeyPairFiles;
import io.eitrelay.core.config.RelayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a long-running relay's TLS material current without anyone sending SIGHUP: checks the
 * certificate, key and CA files every interval and reloads once a change has held still for a whole
 * interval (a writer rewriting a file in place, or the certificate and the key one after the other,
 * is not caught halfway). A change that does not load (a half-written PEM, a key that does not match
 * the new certificate yet) keeps the running material; it is logged once and retried when the files
 * change again. Files are compared by content, so symlink swaps and in-place rewrites count alike and
 * a mere touch does not (a file is read again only when a stat says it may have changed:
 * {@link FileFingerprints}). Also re-checks our certificates' expiry hourly, so the 30/7/1-day warnings
 * come on time in a relay that runs for months without a reload.
 */
final class TlsFileWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TlsFileWatch.class);
    private static final Duration EXPIRY_RECHECK = Duration.ofHours(1);

    private final Relay relay;
    private final boolean watching;
    private final ScheduledExecutorService timer;
    private final FileFingerprints fingerprints = new FileFingerprints();
    private Map<Path, String> loaded;
    private Map<Path, String> seen;
    private Map<Path, String> refused;

    private TlsFileWatch(Relay relay, boolean watching) {
        this.relay = relay;
        this.watching = watching;
        this.loaded = watching ? fingerprints(relay.config()) : Map.of();
        this.seen = loaded;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "eit-relay-tls-watch");
            thread.setDaemon(true);
            return thread;
        });
    }

    static TlsFileWatch start(Relay relay, Duration interval) {
        TlsFileWatch watch = new TlsFileWatch(relay, !interval.isZero());
        if (watch.watching) {
            watch.timer.scheduleWithFixedDelay(watch::checkFiles, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        watch.timer.scheduleAtFixedRate(relay::recheckOwnCertificates, EXPIRY_RECHECK.toMinutes(),
                EXPIRY_RECHECK.toMinutes(), TimeUnit.MINUTES);
        return watch;
    }

    /** A reload by other means (SIGHUP) loaded the files as they are now. */
    synchronized void reloaded(RelayConfig config) {
        if (!watching) {
            return;
        }
        loaded = fingerprints(config);
        seen = loaded;
        refused = null;
    }

    private synchronized void checkFiles() {
        try {
            RelayConfig config = relay.config();
            Map<Path, String> now = fingerprints(config);
            if (now.equals(loaded)) {
                seen = now;
                return;
            }
            if (!now.equals(seen)) {
                seen = now;
                return; // still changing, or just changed: wait one interval for it to hold still
            }
            if (now.equals(refused)) {
                return; // already tried as it is; wait for the next change
            }
            String changed = changed(now);
            try {
                relay.reloadFiles(config);
                loaded = now;
                refused = null;
                log.info("eit-relay: TLS files changed on disk ({}): reloaded; new connections use them", changed);
            } catch (Exception e) {
                refused = now;
                log.warn("eit-relay: TLS files changed on disk ({}) but do not load, keeping the running ones until "
                        + "they do: {}", changed, e.getMessage());
            }
        } catch (RuntimeException e) {
            // Never let the timer die: a later change must still be picked up.
            log.warn("eit-relay: checking TLS files failed: {}", e.toString());
        }
    }

    private String changed(Map<Path, String> now) {
        TreeSet<String> names = new TreeSet<>();
        now.forEach((path, digest) -> {
            if (!Objects.equals(digest, loaded.get(path))) {
                names.add(path.toString());
            }
        });
        return String.join(", ", names);
    }

    /** Each file once, however many endpoints share it (one CA file for every mount is the usual case). */
    private Map<Path, String> fingerprints(RelayConfig config) {
        Set<Path> files = new LinkedHashSet<>();
        for (EndpointConfig endpoint : config.endpoints()) {
            endpoint.tls().caFile().ifPresent(files::add);
            endpoint.tls().keyPair().ifPresent((KeyPairFiles pair) -> {
                files.add(pair.certificateChain());
                files.add(pair.privateKey());
            });
        }
        fingerprints.retain(files);
        Map<Path, String> result = new LinkedHashMap<>();
        files.forEach(file -> result.put(file, fingerprints.of(file)));
        return result;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
