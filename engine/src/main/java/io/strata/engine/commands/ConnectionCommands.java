package io.strata.engine.commands;

import io.strata.engine.Client;
import io.strata.engine.Engine;
import io.strata.engine.Errors;
import io.strata.engine.command.Args;
import io.strata.engine.command.CommandTable;
import io.strata.engine.command.ReplySink;
import io.strata.engine.util.Bytes;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

import static io.strata.engine.command.CommandFlag.ALLOW_BUSY;
import static io.strata.engine.command.CommandFlag.FAST;
import static io.strata.engine.command.CommandFlag.LOADING;
import static io.strata.engine.command.CommandFlag.NOSCRIPT;
import static io.strata.engine.command.CommandFlag.NO_AUTH;
import static io.strata.engine.command.CommandFlag.STALE;

/**
 * Connection commands: PING ECHO QUIT SELECT HELLO RESET AUTH and CLIENT.
 *
 * <p>Thread rule: keyspace thread only.
 */
public final class ConnectionCommands extends CommandGroup {
    private static final byte[] WRITE = Bytes.ascii("write");
    private static final byte[] ALL = Bytes.ascii("all");
    private static final byte[] ON = Bytes.ascii("on");
    private static final byte[] OFF = Bytes.ascii("off");
    private static final byte[] SKIP = Bytes.ascii("skip");
    private static final byte[] AUTH = Bytes.ascii("auth");
    private static final byte[] SETNAME = Bytes.ascii("setname");

    public ConnectionCommands(Engine engine) {
        super(engine);
    }

    @Override
    public void register(CommandTable t) {
        String g = "connection";
        t.add(cmd("ping", -1, this::ping).flags(FAST, STALE).doc(g, "1.0.0", "Returns the server's liveliness response."));
        t.add(cmd("echo", 2, (c, a, r) -> r.bulk(a.buf(), a.off(1), a.len(1))).flags(FAST)
            .doc(g, "1.0.0", "Returns the given string."));
        t.add(cmd("quit", -1, this::quit).flags(ALLOW_BUSY, NOSCRIPT, LOADING, STALE, FAST, NO_AUTH)
            .doc(g, "1.0.0", "Closes the connection."));
        t.add(cmd("select", 2, this::select).flags(LOADING, STALE, FAST)
            .doc(g, "1.0.0", "Changes the selected database."));
        t.add(cmd("hello", -1, this::hello).flags(NOSCRIPT, LOADING, STALE, FAST, NO_AUTH, ALLOW_BUSY)
            .doc(g, "6.0.0", "Handshakes with the Redis server."));
        t.add(cmd("reset", 1, this::reset).flags(NOSCRIPT, LOADING, STALE, FAST, NO_AUTH, ALLOW_BUSY)
            .doc(g, "6.2.0", "Resets the connection."));
        t.add(cmd("auth", -2, this::auth).flags(NOSCRIPT, LOADING, STALE, FAST, NO_AUTH, ALLOW_BUSY)
            .doc(g, "1.0.0", "Authenticates the connection."));
        t.add(container("client").doc(g, "2.4.0", "A container for client connection commands.")
            .sub(cmd("id", 2, (c, a, r) -> r.integer(c.id)).flags(NOSCRIPT, LOADING, STALE)
                .doc(g, "5.0.0", "Returns the unique client ID of the connection."))
            .sub(cmd("setname", 3, this::clientSetName).flags(NOSCRIPT, LOADING, STALE)
                .doc(g, "2.6.9", "Sets the connection name."))
            .sub(cmd("getname", 2, (c, a, r) -> {
                if (c.name.isEmpty()) {
                    r.nullBulk();
                } else {
                    r.bulk(c.name);
                }
            }).flags(NOSCRIPT, LOADING, STALE).doc(g, "2.6.9", "Returns the name of the connection."))
            .sub(cmd("list", -2, this::clientList).flags(io.strata.engine.command.CommandFlag.ADMIN, NOSCRIPT, LOADING, STALE)
                .doc(g, "2.4.0", "Lists open connections."))
            .sub(cmd("info", 2, (c, a, r) -> r.verbatim(clientLine(c) + "\n")).flags(NOSCRIPT, LOADING, STALE)
                .doc(g, "6.2.0", "Returns information about the connection."))
            .sub(cmd("kill", -3, this::clientKill).flags(io.strata.engine.command.CommandFlag.ADMIN, NOSCRIPT, LOADING, STALE)
                .doc(g, "2.4.0", "Terminates open connections."))
            .sub(cmd("pause", -3, this::clientPause).flags(io.strata.engine.command.CommandFlag.ADMIN, NOSCRIPT, LOADING, STALE)
                .doc(g, "3.0.0", "Suspends commands processing."))
            .sub(cmd("unpause", 2, (c, a, r) -> {
                engine.unpause();
                r.ok();
            }).flags(io.strata.engine.command.CommandFlag.ADMIN, NOSCRIPT, LOADING, STALE)
                .doc(g, "6.2.0", "Resumes processing commands from paused clients."))
            .sub(cmd("reply", 3, this::clientReply).flags(NOSCRIPT, LOADING, STALE)
                .doc(g, "3.2.0", "Instructs the server whether to reply to commands."))
            .sub(cmd("no-evict", 3, this::clientNoEvict).flags(io.strata.engine.command.CommandFlag.ADMIN, NOSCRIPT, LOADING, STALE)
                .doc(g, "7.0.0", "Sets the client eviction mode of the connection."))
            .sub(cmd("setinfo", 4, this::clientSetInfo).flags(NOSCRIPT, LOADING, STALE)
                .doc(g, "7.2.0", "Sets information specific to the client or connection."))
            .sub(cmd("unblock", -3, this::clientUnblock).flags(io.strata.engine.command.CommandFlag.ADMIN, NOSCRIPT, LOADING, STALE)
                .doc(g, "5.0.0", "Unblocks a client blocked by a blocking command from a different connection."))
            .sub(cmd("help", 2, this::clientHelp).flags(LOADING, STALE)
                .doc(g, "5.0.0", "Returns helpful text about the different subcommands.")));
    }

    private void ping(Client c, Args a, ReplySink r) {
        if (a.argc() > 2) {
            r.error(Errors.wrongArity("ping"));
        } else if (c.protocol == 2 && c.inPubSubMode()) {
            // RESP2 subscribed mode: Redis answers an array so clients can tell it from a message
            r.array(2);
            r.bulk("pong");
            if (a.argc() == 2) {
                r.bulk(a.buf(), a.off(1), a.len(1));
            } else {
                r.bulk("");
            }
        } else if (a.argc() == 2) {
            r.bulk(a.buf(), a.off(1), a.len(1));
        } else {
            r.simple("PONG");
        }
    }

    private void quit(Client c, Args a, ReplySink r) {
        r.ok();
        c.closeAfterReply = true;
    }

    private void select(Client c, Args a, ReplySink r) {
        if (!a.isLong(1)) {
            r.error(Errors.NOT_INTEGER);
            return;
        }
        long idx = a.longAt(1);
        if (idx < 0 || idx >= ks.databases()) {
            r.error(Errors.DB_RANGE);
            return;
        }
        c.db = ks.db((int) idx);
        r.ok();
    }

    private void hello(Client c, Args a, ReplySink r) {
        int proto = c.protocol;
        int i = 1;
        if (a.argc() >= 2) {
            if (!a.isLong(1)) {
                r.error("ERR Protocol version is not an integer or out of range");
                return;
            }
            long v = a.longAt(1);
            if (v < 2 || v > 3) {
                r.error(Errors.NOPROTO);
                return;
            }
            proto = (int) v;
            i = 2;
        }
        String user = null;
        String pass = null;
        String name = null;
        for (; i < a.argc(); i++) {
            if (a.is(i, AUTH) && a.argc() - i - 1 >= 2) {
                user = a.str(i + 1);
                pass = a.str(i + 2);
                i += 2;
            } else if (a.is(i, SETNAME) && a.argc() - i - 1 >= 1) {
                name = a.str(i + 1);
                i += 1;
            } else {
                r.error("ERR Syntax error in HELLO option '" + a.str(i) + "'");
                return;
            }
        }
        if (user != null && !checkPassword(c, user, pass, r)) {
            return;
        }
        if (!c.authenticated) {
            r.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
            return;
        }
        if (name != null) {
            if (!validName(name)) {
                r.error("ERR Client names cannot contain spaces, newlines or special characters.");
                return;
            }
            c.name = name;
        }
        c.protocol = proto;
        ReplySink out = c.reply();
        out.map(7);
        out.bulk("server");
        out.bulk("redis");
        out.bulk("version");
        out.bulk(Engine.REDIS_VERSION);
        out.bulk("proto");
        out.integer(proto);
        out.bulk("id");
        out.integer(c.id);
        out.bulk("mode");
        out.bulk("standalone");
        out.bulk("role");
        out.bulk("master");
        out.bulk("modules");
        out.array(0);
    }

    private void reset(Client c, Args a, ReplySink r) {
        c.inMulti = false;
        c.multiDirty = false;
        c.multiQueue.clear();
        if (c.monitor) {
            engine.removeMonitor(c);
        }
        c.db = ks.db(0);
        c.protocol = 2;
        c.name = "";
        c.replyMode = Client.ReplyMode.ON;
        // Redis' clearClientConnectionState keeps CLIENT NO-EVICT but drops every subscription
        for (io.strata.engine.PubSub.Kind k : io.strata.engine.PubSub.Kind.values()) {
            engine.pubsub.unsubscribeAll(c, k, false);
        }
        c.authenticated = engine.config.requirepass.isEmpty();
        TransactionCommands.unwatchAll(engine, c);
        c.reply().simple("RESET");
    }

    private void auth(Client c, Args a, ReplySink r) {
        if (a.argc() > 3) {
            r.error(Errors.SYNTAX);
            return;
        }
        if (a.argc() == 2 && engine.config.requirepass.isEmpty()) {
            r.error(Errors.AUTH_NOPASS);
            return;
        }
        String user = a.argc() == 3 ? a.str(1) : "default";
        String pass = a.str(a.argc() - 1);
        if (checkPassword(c, user, pass, r)) {
            r.ok();
        }
    }

    private boolean checkPassword(Client c, String user, String pass, ReplySink r) {
        String required = engine.config.requirepass;
        boolean ok = user.equals("default") && (required.isEmpty() || constantTimeEquals(required, pass));
        if (!ok) {
            r.error(Errors.WRONGPASS);
            return false;
        }
        c.authenticated = true;
        return true;
    }

    private static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(Bytes.utf8(a), Bytes.utf8(b));
    }

    // ---- CLIENT ----

    static boolean validName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < '!' || ch > '~') {
                return false;
            }
        }
        return true;
    }

    private void clientSetName(Client c, Args a, ReplySink r) {
        String name = a.str(2);
        if (!validName(name)) {
            r.error("ERR Client names cannot contain spaces, newlines or special characters.");
            return;
        }
        c.name = name;
        r.ok();
    }

    private void clientSetInfo(Client c, Args a, ReplySink r) {
        String attr = a.str(2).toLowerCase();
        String val = a.str(3);
        for (int i = 0; i < val.length(); i++) {
            char ch = val.charAt(i);
            if (ch < '!' || ch > '~') {
                r.error("ERR " + attr + " cannot contain spaces, newlines or special characters.");
                return;
            }
        }
        if (attr.equals("lib-name")) {
            c.libName = val;
        } else if (attr.equals("lib-ver")) {
            c.libVer = val;
        } else {
            r.error("ERR Unrecognized option '" + a.str(2) + "'");
            return;
        }
        r.ok();
    }

    /** One CLIENT LIST line, with Redis 7.0's fields in Redis' order. */
    public String clientLine(Client c) {
        long now = System.currentTimeMillis();
        long qbuf = c.channel.queryBufferLength();
        long omem = c.channel.outputBufferLength();
        return "id=" + c.id + " addr=" + c.channel.addr() + " laddr=" + c.channel.laddr() + " fd=" + (c.id + 7)
            + " name=" + c.name + " age=" + (now - c.createdMs) / 1000 + " idle=" + (now - c.lastInteractionMs) / 1000
            + " flags=" + c.flagString() + " db=" + c.db.index + " sub=" + c.subscriptions(io.strata.engine.PubSub.Kind.CHANNEL).size()
            + " psub=" + c.subscriptions(io.strata.engine.PubSub.Kind.PATTERN).size()
            + " ssub=" + c.subscriptions(io.strata.engine.PubSub.Kind.SHARD).size()
            + " multi=" + (c.inMulti ? c.multiQueue.size() : -1)
            + " qbuf=" + qbuf + " qbuf-free=" + c.channel.queryBufferFree() + " argv-mem=0 multi-mem=0"
            + " rbs=" + (qbuf + c.channel.queryBufferFree()) + " rbp=" + qbuf
            + " obl=0 oll=0 omem=" + omem + " tot-mem=" + (qbuf + c.channel.queryBufferFree() + omem)
            + " events=r cmd=" + c.lastCommand + " user=default redir=-1 resp=" + c.protocol
            + " lib-name=" + c.libName + " lib-ver=" + c.libVer;
    }

    private static String clientType(Client c) {
        if (c.monitor) {
            return "monitor";
        }
        return c.inPubSubMode() ? "pubsub" : "normal";
    }

    private void clientList(Client c, Args a, ReplySink r) {
        List<Client> sel = new ArrayList<>();
        if (a.argc() == 2) {
            sel.addAll(engine.clients());
        } else if (a.argc() == 4 && a.str(2).equalsIgnoreCase("type")) {
            String type = a.str(3).toLowerCase();
            if (!List.of("normal", "master", "replica", "slave", "pubsub").contains(type)) {
                r.error("ERR Unknown client type '" + a.str(3) + "'");
                return;
            }
            for (Client x : engine.clients()) {
                String t = clientType(x).equals("monitor") ? "normal" : clientType(x);
                if (t.equals(type)) {
                    sel.add(x);
                }
            }
        } else if (a.argc() > 3 && a.str(2).equalsIgnoreCase("id")) {
            for (int i = 3; i < a.argc(); i++) {
                if (!a.isLong(i) || a.longAt(i) <= 0) {
                    r.error("ERR Invalid client ID");
                    return;
                }
                Client x = engine.client(a.longAt(i));
                if (x != null && !sel.contains(x)) {
                    sel.add(x);
                }
            }
        } else {
            r.error(Errors.SYNTAX);
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (Client x : sel) {
            sb.append(clientLine(x)).append('\n');
        }
        r.verbatim(sb.toString());
    }

    private void clientKill(Client c, Args a, ReplySink r) {
        if (a.argc() == 3) {
            String addr = a.str(2);
            for (Client x : engine.clients()) {
                if (x.channel.addr().equals(addr)) {
                    kill(c, x);
                    r.ok();
                    return;
                }
            }
            r.error(Errors.CLIENT_NOT_FOUND);
            return;
        }
        Long id = null;
        String type = null;
        String addr = null;
        String laddr = null;
        String user = null;
        boolean skipMe = true;
        if ((a.argc() - 2) % 2 != 0) {
            r.error(Errors.SYNTAX);
            return;
        }
        for (int i = 2; i < a.argc(); i += 2) {
            String opt = a.str(i).toLowerCase();
            String val = a.str(i + 1);
            switch (opt) {
                case "id":
                    if (!a.isLong(i + 1) || a.longAt(i + 1) <= 0) {
                        r.error("ERR client-id should be greater than 0");
                        return;
                    }
                    id = a.longAt(i + 1);
                    break;
                case "type":
                    type = val.toLowerCase();
                    if (type.equals("slave")) {
                        type = "replica";
                    }
                    if (!List.of("normal", "master", "replica", "pubsub").contains(type)) {
                        r.error("ERR Unknown client type '" + val + "'");
                        return;
                    }
                    break;
                case "addr":
                    addr = val;
                    break;
                case "laddr":
                    laddr = val;
                    break;
                case "user":
                    user = val;
                    if (!user.equals("default")) {
                        r.error("ERR No such user '" + val + "'");
                        return;
                    }
                    break;
                case "skipme":
                    if (val.equalsIgnoreCase("yes")) {
                        skipMe = true;
                    } else if (val.equalsIgnoreCase("no")) {
                        skipMe = false;
                    } else {
                        r.error(Errors.SYNTAX);
                        return;
                    }
                    break;
                default:
                    r.error(Errors.SYNTAX);
                    return;
            }
        }
        List<Client> victims = new ArrayList<>();
        for (Client x : engine.clients()) {
            if (id != null && x.id != id) {
                continue;
            }
            if (type != null && !type.equals(clientType(x).equals("monitor") ? "normal" : clientType(x))) {
                continue;
            }
            if (addr != null && !x.channel.addr().equals(addr)) {
                continue;
            }
            if (laddr != null && !x.channel.laddr().equals(laddr)) {
                continue;
            }
            if (skipMe && x == c) {
                continue;
            }
            victims.add(x);
        }
        for (Client x : victims) {
            kill(c, x);
        }
        r.integer(victims.size());
    }

    private void kill(Client self, Client x) {
        if (x == self) {
            x.closeAfterReply = true;
        } else {
            x.channel.close();
        }
    }

    private void clientPause(Client c, Args a, ReplySink r) {
        if (!a.isLong(2)) {
            r.error("ERR timeout is not an integer or out of range");
            return;
        }
        long ms = a.longAt(2);
        if (ms < 0) {
            r.error(Errors.TIMEOUT_NEGATIVE);
            return;
        }
        boolean all = true;
        if (a.argc() == 4) {
            if (a.is(3, WRITE)) {
                all = false;
            } else if (!a.is(3, ALL)) {
                r.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
                return;
            }
        } else if (a.argc() > 4) {
            r.error(Errors.SYNTAX);
            return;
        }
        engine.pause(System.currentTimeMillis() + ms, all);
        r.ok();
    }

    private void clientReply(Client c, Args a, ReplySink r) {
        if (a.is(2, ON)) {
            c.replyMode = Client.ReplyMode.ON;
            c.channel.mute(false);
            r.ok();
        } else if (a.is(2, OFF)) {
            c.replyMode = Client.ReplyMode.OFF;
            c.channel.mute(true);
        } else if (a.is(2, SKIP)) {
            if (c.replyMode != Client.ReplyMode.OFF) {
                c.requestSkipNext();
            }
        } else {
            r.error(Errors.SYNTAX);
        }
    }

    private void clientUnblock(Client c, Args a, ReplySink r) {
        if (!a.isLong(2)) {
            r.error(Errors.NOT_INTEGER);
            return;
        }
        String error = null;
        if (a.argc() == 4) {
            if (a.str(3).equalsIgnoreCase("error")) {
                error = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
            } else if (!a.str(3).equalsIgnoreCase("timeout")) {
                r.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        } else if (a.argc() > 4) {
            r.error(Errors.SYNTAX);
            return;
        }
        Client target = engine.client(a.longAt(2));
        r.integer(target != null && engine.unblock(target, error) ? 1 : 0);
    }

    private void clientNoEvict(Client c, Args a, ReplySink r) {
        if (a.is(2, ON)) {
            c.noEvict = true;
        } else if (a.is(2, OFF)) {
            c.noEvict = false;
        } else {
            r.error(Errors.SYNTAX);
            return;
        }
        r.ok();
    }

    private void clientHelp(Client c, Args a, ReplySink r) {
        String[] lines = {
            "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GETNAME", "    Return the name of the current connection.",
            "ID", "    Return the ID of the current connection.",
            "INFO", "    Return information about the current client connection.",
            "KILL <ip:port>", "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
            "    * USER <username>", "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
            "LIST [options ...]", "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
            "UNPAUSE", "    Stop the current client pause, resuming traffic.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "PAUSE <timeout> [WRITE|ALL]", "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
            "SETNAME <name>", "    Assign the name <name> to the current connection.",
            "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
            "HELP", "    Prints this help."};
        r.array(lines.length);
        for (String l : lines) {
            r.simple(l);
        }
    }
}
