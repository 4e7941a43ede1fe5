package io.eitrelay.cli.daemon;

import io.eitrelay.cli.EndpointRequest;
import io.eitrelay.cli.daemon.ControlProtocol.Reply;
import io.eitrelay.cli.daemon.DaemonState.Entry;
import io.eitrelay.cli.daemon.MountClaims.Claim;
import io.eitrelay.cli.mount.MountTable;
import io.eitrelay.cli.mount.MountTable.NfsMount;
import io.eitrelay.cli.mount.PortScheme;
import io.eitrelay.core.RelayStartException;
import io.eitrelay.core.config.EndpointConfig;
import io.eitrelay.core.config.HostPort;
import io.eitrelay.core.tls.TlsConfigException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of {@code eit-relay mount}: it picks the local endpoint and claims it by binding it
 * here (one request at a time, so two mounts never get the same one, and a port another program holds
 * is skipped because its bind fails), refuses TLS and plain mounts of the same server side by side (the
 * helpers' rule: efs-utils and AZNFS refuse it), and removes a mount's endpoints once no mount in the
 * mount table uses them any more.
 * <ul>
 *   <li>{@code claim DIR SCHEME MOUNTPORT|- FLAGS...}: FLAGS are the relay's for the NFS endpoint, without
 *       {@code --listen}; MOUNTPORT, the server's MOUNT port, asks for a second endpoint (NFSv3). Replies
 *       {@code NAME ADDRESS PORT MOUNT-PORT} on one line.</li>
 *   <li>{@code confirm NAME} (mount.nfs succeeded), {@code release NAME} (it failed: removed now),
 *       {@code plain-check SERVER} (may a notls mount go there? while it is made, no TLS claim of that
 *       server passes), {@code plain-done SERVER} (it ended), {@code sweep} (after an unmount).</li>
 * </ul>
 */
final class MountRequests {
    private static final Logger log = LoggerFactory.getLogger(MountRequests.class);
    /** Binds tried per claim; every port of the efs range fits, a full alinas range is not searched. */
    private static final int MAX_BIND_ATTEMPTS = 2048;

    private final RelayDaemon daemon;
    private final Path table;
    private final MountClaims claims;
    /**
     * Servers a notls mount is being made of right now (passed plain-check, mount.nfs running), until its
     * plain-done or the limit: a TLS claim of the same server meanwhile is refused. Without this, a plain
     * and a TLS mount started together could both pass, each before the other shows in the mount table,
     * and the kernel would hold two NFSv4 clients of one server with one identity.
     */
    private final Map<String, Instant> plainPending = new HashMap<>();
    /** How long a plain mount may be pending (mount.nfs retries a foreground mount for 2 minutes). */
    static final Duration PLAIN_PENDING_LIMIT = Duration.ofMinutes(3);
    private String lastTableError;

    MountRequests(RelayDaemon daemon, Path table, MountClaims claims) {
        this.daemon = daemon;
        this.table = table;
        this.claims = claims;
    }

    Reply handle(String command, List<String> args) {
        return switch (command) {
            case "claim" -> args.size() < 3 ? Reply.error("usage: claim DIR SCHEME MOUNTPORT|- FLAGS...")
                    : claim(Path.of(args.get(0)), args.get(1), args.get(2), args.subList(3, args.size()));
            case "confirm" -> args.size() == 1 ? confirm(args.get(0)) : Reply.error("usage: confirm NAME");
            case "release" -> args.size() == 1 ? release(args.get(0)) : Reply.error("usage: release NAME");
            case "plain-check" -> args.size() == 1 ? plainCheck(args.get(0)) : Reply.error("usage: plain-check SERVER");
            case "plain-done" -> args.size() == 1 ? plainDone(args.get(0)) : Reply.error("usage: plain-done SERVER");
            case "sweep" -> args.isEmpty() ? Reply.ok(sweep(Instant.now())) : Reply.error("usage: sweep");
            default -> throw new IllegalArgumentException(command);
        };
    }

    /** Claims come back from the state file as mounted: the grace starts at the first sweep that misses them. */
    void restore(List<Entry> saved) {
        for (Entry entry : saved) {
            if (entry.name().equals(entry.claim())) {
                Entry mount = saved.stream().filter(e -> e.claim().equals(entry.name()) && e != entry).findFirst().orElse(null);
                claims.add(new Claim(entry.name(), server(entry), entry.listen(), mount == null ? null : mount.name(),
                        mount == null ? null : mount.listen(), Instant.now(), true));
            }
        }
    }

    private Reply claim(Path cwd, String schemeWord, String mountPortWord, List<String> flags) {
        PortScheme scheme;
        Integer serverMountPort;
        EndpointConfig template;
        try {
            scheme = PortScheme.parse(schemeWord);
            serverMountPort = mountPortWord.equals("-") ? null : Integer.valueOf(mountPortWord);
            for (String flag : flags) {
                if (flag.startsWith("--listen") || flag.startsWith("--name") || flag.equals("--server")) {
                    throw new IllegalArgumentException(flag + ": chosen by the daemon for a mount");
                }
            }
            template = EndpointRequest.parse(withListen(flags, "127.0.0.1:0"), cwd);
        } catch (IllegalArgumentException e) {
            return Reply.error(e.getMessage());
        }
        String server = template.target().host();
        String refusal = plainMountOf(server);
        if (refusal == null) {
            refusal = plainPendingOf(server);
        }
        if (refusal != null) {
            return Reply.error(refusal);
        }
        int attempts = 0;
        for (InetSocketAddress nfs : scheme.candidates(ThreadLocalRandom.current().nextInt(1 << 16))) {
            if (daemon.listensOn(nfs)) {
                continue;
            }
            if (++attempts > MAX_BIND_ATTEMPTS) {
                break;
            }
            try {
                if (!tryBind(template.withName(name(nfs)).withListen(nfs), cwd, name(nfs), flags)) {
                    continue;
                }
                InetSocketAddress mount = null;
                if (serverMountPort != null) {
                    mount = bindMount(scheme, nfs, template.withTarget(new HostPort(server, serverMountPort)), cwd, flags);
                    if (mount == null) {
                        daemon.drop(List.of(name(nfs)), Duration.ZERO);
                        continue;
                    }
                }
                return saveClaim(new Claim(name(nfs), server, nfs, mount == null ? null : name(mount), mount,
                        Instant.now(), false), cwd);
            } catch (TlsConfigException | RelayStartException | IllegalArgumentException e) {
                return Reply.error(e.getMessage()); // the same for every candidate: stop here
            }
        }
        return Reply.error("no free local endpoint in the " + scheme.word() + " port scheme (" + attempts
                + " tried); unmount something or choose another port_scheme");
    }

    private InetSocketAddress bindMount(PortScheme scheme, InetSocketAddress nfs, EndpointConfig template, Path cwd,
                                        List<String> flags) throws TlsConfigException, RelayStartException {
        List<String> mountFlags = withTarget(flags, template.target());
        int attempts = 0;
        for (InetSocketAddress mount : scheme.mountCandidates(nfs)) {
            if (!daemon.listensOn(mount) && ++attempts <= MAX_BIND_ATTEMPTS
                    && tryBind(template.withName(name(mount)).withListen(mount), cwd, name(nfs), mountFlags)) {
                return mount;
            }
        }
        return null;
    }

    /** False when the address is taken by someone else: the next candidate is tried. */
    private boolean tryBind(EndpointConfig endpoint, Path cwd, String claim, List<String> flags)
            throws TlsConfigException, RelayStartException {
        try {
            daemon.bind(endpoint, cwd, claim, withListen(flags, StatusReport.address(endpoint.listen())));
            return true;
        } catch (RelayStartException e) {
            if (e.addressInUse()) {
                return false;
            }
            throw e;
        }
    }

    private Reply saveClaim(Claim claim, Path cwd) {
        try {
            daemon.save();
        } catch (IOException e) {
            daemon.drop(claim.endpointNames(), Duration.ZERO);
            return Reply.error("mount endpoint not claimed: cannot save " + daemon.stateFile() + ": " + e.getMessage());
        }
        claims.add(claim);
        log.info("[{}] claimed for a mount of {} (MOUNT endpoint: {})", claim.name, claim.server,
                claim.mount == null ? "the same" : StatusReport.address(claim.mount));
        return Reply.ok(claim.name + " " + claim.nfs.getAddress().getHostAddress() + " " + claim.nfs.getPort() + " "
                + (claim.mount == null ? claim.nfs.getPort() : claim.mount.getPort()) + "\n");
    }

    private Reply confirm(String name) {
        Claim claim = claims.get(name);
        if (claim == null) {
            return Reply.error("no mount endpoint [" + ControlProtocol.abbreviate(name) + "]");
        }
        claim.confirmed = true;
        claim.unusedSince = null;
        return Reply.ok("");
    }

    private Reply release(String name) {
        Claim claim = claims.get(name);
        if (claim == null) {
            return Reply.error("no mount endpoint [" + ControlProtocol.abbreviate(name) + "]");
        }
        List<NfsMount> mounts = readTable();
        if (claim.confirmed || mounts == null || mounts.stream().anyMatch(claim::usedBy)) {
            return Reply.error("[" + name + "] is mounted or may be: it goes by itself once nothing has it mounted");
        }
        return removeClaim(claim, Duration.ZERO) ? Reply.ok("released [" + name + "]\n")
                : Reply.error("[" + name + "] not released: cannot save " + daemon.stateFile());
    }

    /** Refuses a plain mount of a server that has TLS mounts through us. */
    private Reply plainCheck(String server) {
        refresh(Instant.now());
        Set<InetAddress> addresses = resolve(server);
        for (Claim claim : claims.all()) {
            boolean inUse = !claim.mountPoints.isEmpty() || !claim.confirmed; // an unmounted one only waits to go
            if (inUse && (claim.server.equalsIgnoreCase(server)
                    || !java.util.Collections.disjoint(addresses, resolve(claim.server)))) {
                return Reply.error(server + " is already mounted with TLS through eit-relay (endpoint " + claim.name + ", "
                        + claim.state() + "); mounting it without TLS as well is refused: unmount the TLS mounts first, "
                        + "or mount with tls");
            }
        }
        plainPending.put(server.toLowerCase(java.util.Locale.ROOT), Instant.now().plus(PLAIN_PENDING_LIMIT));
        return Reply.ok("");
    }

    /** The notls mount that passed plain-check has ended (mounted or not): the mount table tells from now on. */
    private Reply plainDone(String server) {
        plainPending.remove(server.toLowerCase(java.util.Locale.ROOT));
        return Reply.ok("");
    }

    /** The refusal for a TLS mount of a server a notls mount is being made of, or null. */
    private String plainPendingOf(String server) {
        Instant now = Instant.now();
        plainPending.values().removeIf(until -> until.isBefore(now));
        Set<InetAddress> addresses = resolve(server);
        for (String pending : plainPending.keySet()) {
            if (pending.equalsIgnoreCase(server) || !java.util.Collections.disjoint(addresses, resolve(pending))) {
                return server + " is being mounted without TLS right now (as " + pending + "); mounting it with TLS as "
                        + "well is refused: wait for that mount to finish, then unmount it, or mount with notls";
            }
        }
        return null;
    }

    /** The refusal for a TLS mount of a server that is mounted without TLS, or null. */
    private String plainMountOf(String server) {
        Set<InetAddress> addresses = resolve(server);
        List<NfsMount> mounts = readTable();
        if (mounts == null) {
            return null;
        }
        for (NfsMount mount : mounts) {
            InetAddress addr = literal(mount.addr());
            if (addr != null && addresses.contains(addr) && !daemon.listensOn(new InetSocketAddress(addr, mount.port()))) {
                return server + " is already mounted without TLS on " + mount.mountPoint() + " (" + mount.source()
                        + "); mounting it with TLS as well is refused: unmount it first, or mount with notls";
            }
        }
        return null;
    }

    /** Removes the claims whose time is up; returns what it did, for {@code eit-relay umount}. */
    String sweep(Instant now) {
        List<NfsMount> mounts = readTable();
        if (mounts == null) {
            return "mount table unreadable: nothing removed\n";
        }
        StringBuilder out = new StringBuilder();
        claims.observe(mounts, now);
        for (Claim claim : claims.due(now)) {
            if (removeClaim(claim, RelayDaemon.REMOVE_GRACE)) {
                log.info("[{}] removed: no mount has used it since {}", claim.name, claim.unusedSince);
                out.append("removed [").append(claim.name).append("]\n");
            }
        }
        for (Claim claim : claims.all()) {
            if (claim.mountPoints.isEmpty()) {
                out.append("[").append(claim.name).append("] ").append(claim.state()).append(": removed after the grace period\n");
            }
        }
        return out.toString();
    }

    /** Notes which mounts use which endpoint, removing nothing (for status). */
    void refresh(Instant now) {
        List<NfsMount> mounts = readTable();
        if (mounts != null) {
            claims.observe(mounts, now);
        }
    }

    /** For status: what a mount endpoint is used for; null for endpoints added with ctl. */
    String describe(String endpointName) {
        Claim claim = claims.owning(endpointName);
        if (claim == null) {
            return null;
        }
        return (endpointName.equals(claim.name) ? "NFS" : "MOUNT") + " endpoint of a mount of " + claim.server + ", "
                + claim.state();
    }

    private boolean removeClaim(Claim claim, Duration grace) {
        daemon.drop(claim.endpointNames(), grace);
        claims.remove(claim.name);
        try {
            daemon.save();
            return true;
        } catch (IOException e) {
            log.error("[{}] removed, but {} not saved: {}", claim.name, daemon.stateFile(), e.getMessage());
            return false;
        }
    }

    /** The mount table, or null (logged once per distinct error) when it cannot be read: then nothing is removed. */
    private List<NfsMount> readTable() {
        try {
            List<NfsMount> mounts = MountTable.read(table);
            lastTableError = null;
            return mounts;
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).equals(lastTableError)) {
                log.error("mount table {} unreadable, mount endpoints kept: {}", table, e.getMessage());
                lastTableError = String.valueOf(e.getMessage());
            }
            return null;
        }
    }

    private static Set<InetAddress> resolve(String host) {
        try {
            return new HashSet<>(Arrays.asList(InetAddress.getAllByName(host)));
        } catch (UnknownHostException e) {
            return Set.of();
        }
    }

    /** An IP literal from the mount table, or null for anything else (never a name lookup). */
    private static InetAddress literal(String address) {
        try {
            return io.eitrelay.cli.Converters.ipAddress(address);
        } catch (picocli.CommandLine.TypeConversionException e) {
            return null;
        }
    }

    /** The server an entry's --target names (read from its flags: its files may be gone by now). */
    private static String server(Entry entry) {
        List<String> args = entry.args();
        for (int i = 0; i < args.size(); i++) {
            String value = args.get(i).equals("--target") && i + 1 < args.size() ? args.get(i + 1)
                    : args.get(i).startsWith("--target=") ? args.get(i).substring("--target=".length()) : null;
            if (value != null) {
                try {
                    return io.eitrelay.cli.Converters.hostPort(value).host();
                } catch (IllegalArgumentException e) {
                    return value;
                }
            }
        }
        return "?";
    }

    /** {@code flags} with their --target replaced. */
    private static List<String> withTarget(List<String> flags, HostPort target) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < flags.size(); i++) {
            if (flags.get(i).equals("--target")) {
                i++;
            } else if (!flags.get(i).startsWith("--target=")) {
                out.add(flags.get(i));
            }
        }
        out.add("--target");
        out.add(target.toString());
        return out;
    }

    private static String name(InetSocketAddress address) {
        return ControlProtocol.mountEndpointName(address);
    }

    private static List<String> withListen(List<String> flags, String listen) {
        List<String> all = new ArrayList<>(flags);
        all.add("--listen");
        all.add(listen);
        return all;
    }
}
