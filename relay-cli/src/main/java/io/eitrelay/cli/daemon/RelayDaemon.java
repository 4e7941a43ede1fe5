package io.eitrelay.cli.daemon;

import io.eitrelay.cli.EndpointRequest;
import io.eitrelay.cli.daemon.ControlProtocol.Reply;
import io.eitrelay.cli.daemon.DaemonState.Entry;
import io.eitrelay.core.EndpointListener;
import io.eitrelay.core.Relay;
import io.eitrelay.core.RelayStartException;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.tls.TlsConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
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
 *   <li>{@code status} / {@code status --json}: every endpoint with its traffic and TLS state.</li>
 * </ul>
 */
public final class RelayDaemon {
    private static final Logger log = LoggerFactory.getLogger(RelayDaemon.class);
    /** Open connections of a removed endpoint may finish for this long (an unmount has ended them already). */
    static final Duration REMOVE_GRACE = Duration.ofSeconds(2);

    private final Relay relay;
    private final DaemonState state;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public RelayDaemon(Relay relay, Path stateFile) {
        this.relay = relay;
        this.state = new DaemonState(stateFile);
    }

    /**
     * Binds every saved endpoint again on its address and port. One that cannot be (its port taken, its
     * certificate gone) is logged and stays in the state, to be tried at the next start.
     */
    public synchronized int restore() throws IOException {
        int restored = 0;
        for (Entry entry : state.load()) {
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
            default -> Reply.error("unknown request '" + ControlProtocol.abbreviate(command)
                    + "' (add, remove, status)");
        };
    }

    private Reply add(Path cwd, List<String> args) {
        EndpointConfig endpoint;
        try {
            endpoint = EndpointRequest.parse(args, cwd);
        } catch (IllegalArgumentException e) {
            return Reply.error(e.getMessage());
        }
        if (entries.containsKey(endpoint.name())) {
            return Reply.error("endpoint [" + endpoint.name() + "] exists already");
        }
        EndpointListener listener;
        try {
            listener = relay.add(endpoint);
        } catch (TlsConfigException | RelayStartException | IllegalArgumentException e) {
            return Reply.error(e.getMessage());
        }
        Entry entry = new Entry(endpoint.name(), listener.boundAddress(), cwd, args);
        entries.put(entry.name(), entry);
        try {
            state.save(List.copyOf(entries.values()));
        } catch (IOException e) {
            entries.remove(entry.name());
            relay.remove(entry.name(), Duration.ZERO);
            return Reply.error("endpoint not added: cannot save " + state.file() + ": " + e.getMessage());
        }
        return Reply.ok("added [" + endpoint.name() + "] listening on " + StatusReport.address(listener.boundAddress())
                + " -> " + endpoint.target() + "\n");
    }

    private Reply remove(String name) {
        Entry entry = entries.remove(name);
        if (entry == null) {
            return Reply.error("no endpoint [" + ControlProtocol.abbreviate(name) + "]");
        }
        try {
            state.save(List.copyOf(entries.values()));
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
        List<String> notRunning = new ArrayList<>(entries.keySet());
        relay.endpoints().forEach(e -> notRunning.remove(e.name()));
        return Reply.ok(json ? StatusReport.json(relay.endpoints(), notRunning) : StatusReport.text(relay.endpoints(), notRunning));
    }
}
