package io.eitrelay.cli.daemon;

import io.eitrelay.cli.EndpointRequest;
import io.eitrelay.cli.LogLevel;
import io.eitrelay.cli.daemon.ControlProtocol.Reply;
import io.eitrelay.cli.daemon.DaemonState.Entry;
import io.eitrelay.core.EndpointListener;
import io.eitrelay.core.Relay;
import io.eitrelay.core.RelayStartException;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.tls.TlsConfigException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code eit-relay daemon} does with control requests: endpoints added to and removed from one
 * running relay, each change saved before it is acknowledged, and restored at start.
 * <ul>
 *   <li>{@code add DIR FLAGS...}: the standalone relay's flags for one endpoint, plus {@code --name};
 *       relative file names are resolved against DIR, the caller's directory.</li>
 *   <li>{@code remove NAME}: stops accepting at once; open connections get the grace, then close.</li>
 *   <li>{@code status} / {@code status --json}: every endpoint with its traffic, TLS state and health.</li>
 *   <li>{@code last-failure NAME}: when and why its latest connection failed.</li>
 *   <li>{@code claim}, {@code confirm}, {@code release}, {@code plain-check}, {@code sweep}: for
 *       {@code eit-relay mount} and {@code umount} ({@link MountRequests}).</li>
 * </ul>
 */
public final class RelayDaemon {
    private static final Logger log = LoggerFactory.getLogger(RelayDaemon.class);
    /** Open connections of a removed endpoint may finish for this long (an unmount has ended them already). */
    static final Duration REMOVE_GRACE = Duration.ofSeconds(2);

    private final Relay relay;
    private final DaemonState state;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final MountRequests mounts;
    private final HealthChecks health;

    public RelayDaemon(Relay relay, Path stateFile, Path mountTable, Duration unmountGrace, HealthChecks health) {
        this.relay = relay;
        this.state = new DaemonState(stateFile);
        this.mounts = new MountRequests(this, mountTable, new MountClaims(unmountGrace));
        this.health = health;
    }

    /**
     * Binds every saved endpoint again on its address and port. One that cannot be (its port taken, its
     * certificate gone) is logged and stays in the state, to be tried at the next start.
     */
    public synchronized int restore() throws IOException {
        int restored = 0;
        List<Entry> saved = state.load();
        for (Entry entry : saved) {
            entries.put(entry.name(), entry);
            try {
                EndpointConfig endpoint = EndpointRequest.parse(entry.args(), entry.cwd()).withName(entry.name())
                        .withListen(entry.listen());
                relay.add(endpoint);
                restored++;
            } catch (TlsConfigException | RelayStartException | IllegalArgumentException e) {
                log.error("[{}] not restored from {}: {}", entry.name(), state.file(), e.getMessage());
            }
        }
        mounts.restore(saved);
        log.info("eit-relay daemon: {} of {} saved endpoints restored from {}", restored, entries.size(), state.file());
        return restored;
    }

    public synchronized Reply handle(List<String> request) {
        String command = request.get(0);
        List<String> args = request.subList(1, request.size());
        return switch (command) {
            case "add" -> args.isEmpty() ? Reply.error("add: the caller's directory is missing")
                    : add(Path.of(args.get(0)), args.subList(1, args.size()));
            case "remove" -> args.size() == 1 ? remove(args.get(0)) : Reply.error("usage: remove NAME");
            case "status" -> status(args);
            case "last-failure" -> args.size() == 1 ? lastFailure(args.get(0)) : Reply.error("usage: last-failure NAME");
            case "log-level" -> args.size() <= 1 ? logLevel(args) : Reply.error("usage: log-level [" + LogLevel.NAMES + "]");
            case "claim", "confirm", "release", "plain-check", "plain-done", "sweep" -> mounts.handle(command, args);
            default -> Reply.error("unknown request '" + ControlProtocol.abbreviate(command)
                    + "' (add, remove, status, last-failure, log-level, claim, confirm, release, plain-check, plain-done, sweep)");
        };
    }

    /** Removes mount endpoints no mount has used for the grace period (the daemon calls this every few seconds). */
    public synchronized void sweep() {
        mounts.sweep(Instant.now());
    }

    private Reply add(Path cwd, List<String> args) {
        EndpointConfig endpoint;
        try {
            endpoint = EndpointRequest.parse(args, cwd);
        } catch (IllegalArgumentException e) {
            return Reply.error(e.getMessage());
        }
        EndpointListener listener;
        try {
            listener = bind(endpoint, cwd, "", args);
        } catch (TlsConfigException | RelayStartException | IllegalArgumentException e) {
            return Reply.error(e.getMessage());
        }
        try {
            save();
        } catch (IOException e) {
            drop(List.of(endpoint.name()), Duration.ZERO);
            return Reply.error("endpoint not added: cannot save " + state.file() + ": " + e.getMessage());
        }
        return Reply.ok("added [" + endpoint.name() + "] listening on " + StatusReport.address(listener.boundAddress())
                + " -> " + endpoint.target() + "\n");
    }

    private Reply remove(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            return Reply.error("no endpoint [" + ControlProtocol.abbreviate(name) + "]");
        }
        if (!entry.claim().isEmpty()) {
            return Reply.error("[" + name + "] belongs to a mount: it is removed by itself once nothing has it mounted");
        }
        entries.remove(name);
        try {
            save();
        } catch (IOException e) {
            entries.put(name, entry);
            return Reply.error("endpoint not removed: cannot save " + state.file() + ": " + e.getMessage());
        }
        relay.remove(name, REMOVE_GRACE);
        return Reply.ok("removed [" + name + "]\n");
    }

    private Reply status(List<String> args) {
        boolean json = args.equals(List.of("--json"));
        if (!json && !args.isEmpty()) {
            return Reply.error("usage: status [--json]");
        }
        mounts.refresh(Instant.now());
        List<String> notRunning = new ArrayList<>(entries.keySet());
        relay.endpoints().forEach(e -> notRunning.remove(e.name()));
        StatusReport report = new StatusReport(relay.endpoints(), notRunning, health::last, mounts::describe);
        return Reply.ok(json ? report.json() : report.text());
    }

    /**
     * The daemon's log level, or a new one for the running process (until it restarts: the flag or
     * $EIT_RELAY_LOG_LEVEL sets it at start). The change is logged at INFO, before a quieter level
     * takes effect or after a more verbose one, so it shows in the log whichever way it goes.
     */
    private Reply logLevel(List<String> args) {
        LogLevel was = LogLevel.current();
        if (args.isEmpty()) {
            return Reply.ok("log level: " + was.label() + "\n");
        }
        LogLevel level;
        try {
            level = LogLevel.parse(ControlProtocol.abbreviate(args.get(0)));
        } catch (IllegalArgumentException e) {
            return Reply.error(e.getMessage());
        }
        LogLevel.announced(level.ordinal() > was.ordinal(), level::apply,
                () -> log.info("log level {} (was {}), set by a control request", level.label(), was.label()));
        return Reply.ok("log level: " + level.label() + " (was " + was.label() + ")\n");
    }

    /**
     * {@code MILLIS_AGO REASON} of the endpoint's latest failed connection, or nothing: how {@code eit-relay
     * mount} tells why its readiness check failed (a TLS refusal, a refused connection) instead of the
     * reset it saw.
     */
    private Reply lastFailure(String name) {
        return relay.endpoints().stream().filter(e -> e.name().equals(name)).findFirst()
                .map(e -> Reply.ok(e.stats().lastFailure().map(last -> Duration.between(last.at(), Instant.now()).toMillis()
                        + " " + last.reason() + "\n").orElse("")))
                .orElse(Reply.error("no endpoint [" + ControlProtocol.abbreviate(name) + "]"));
    }

    /** Binds {@code endpoint} and records it (not yet saved). */
    EndpointListener bind(EndpointConfig endpoint, Path cwd, String claim, List<String> args)
            throws TlsConfigException, RelayStartException {
        if (entries.containsKey(endpoint.name())) {
            throw new IllegalArgumentException("endpoint [" + endpoint.name() + "] exists already");
        }
        EndpointListener listener = relay.add(endpoint);
        entries.put(endpoint.name(), new Entry(endpoint.name(), listener.boundAddress(), cwd, claim, args));
        return listener;
    }

    /** Stops and forgets endpoints (the caller saves). */
    void drop(List<String> names, Duration grace) {
        for (String name : names) {
            entries.remove(name);
            relay.remove(name, grace);
        }
    }

    void save() throws IOException {
        state.save(List.copyOf(entries.values()));
    }

    Path stateFile() {
        return state.file();
    }

    boolean listensOn(InetSocketAddress address) {
        return entries.values().stream().anyMatch(e -> e.listen().equals(address));
    }
}
