package dev.drydock.oci.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Who the client is, by one rule every service applies: {@code X-Forwarded-For} is believed only
 * when the peer is a trusted proxy (loopback by default: the front door, the portal, a local
 * reverse proxy), and then only as far as it was written by trusted proxies — the right-most
 * address that is not a trusted proxy is the client. Entries left of it were written by the
 * client itself and prove nothing.
 */
public final class ClientAddress {

    /** IPv4 dotted quads and IPv6 literals (with a colon), so that nothing is ever looked up in DNS. */
    private static final Pattern IP_LITERAL = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*");

    private final List<Cidr> trusted;

    /** @param trustedProxies CIDR blocks ({@code 10.0.0.0/8}) or single addresses; loopback is always trusted */
    public ClientAddress(List<String> trustedProxies) {
        this.trusted = trustedProxies.stream()
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(Cidr::parse)
                .toList();
    }

    public static ClientAddress loopbackOnly() {
        return new ClientAddress(List.of());
    }

    /** @param peer the address of the TCP peer; {@code forwardedFor} the header's value, or null */
    public String of(String peer, String forwardedFor) {
        if (peer == null || forwardedFor == null || !isTrusted(peer)) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        String client = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (literal(hop) == null) {
                return client; // garbage written by someone untrusted: the last trusted hop's peer is the client
            }
            client = hop;
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    /** Whether forwarded headers ({@code X-Forwarded-Host}, {@code -Proto}) from this peer may be believed. */
    public boolean isTrusted(String address) {
        InetAddress parsed = literal(address);
        if (parsed == null) {
            return false;
        }
        if (parsed.isLoopbackAddress()) {
            return true;
        }
        return trusted.stream().anyMatch(cidr -> cidr.contains(parsed));
    }

    /** The address if it is an IP literal; never a DNS lookup. */
    private static InetAddress literal(String address) {
        if (address == null
                || address.length() > 45
                || !IP_LITERAL.matcher(address).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(address); // a literal of digits, dots and colons: parsed, not resolved
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    private record Cidr(byte[] network, int bits) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("not an IP address or CIDR block: " + text);
            }
            byte[] bytes = address.getAddress();
            int bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
            if (bits < 0 || bits > bytes.length * 8) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
            return new Cidr(bytes, bits);
        }

        boolean contains(InetAddress address) {
            byte[] candidate = address.getAddress();
            if (candidate.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < bits; bit++) {
                int mask = 0x80 >> (bit % 8);
                if ((candidate[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
