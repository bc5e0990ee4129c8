package org.correlationstation.core.redis;

import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How {@code REDIS_URL} is read, by the job's Redis sink and the query API's store alike: a standalone (or Sentinel, or socket) URI as lettuce
 * reads it, or a Redis Cluster when
 * <ul>
 *   <li>the URI lists several nodes: {@code redis://[:password@]host1:6379,host2:6379[/0]}, or</li>
 *   <li>it carries the query parameter {@code cluster=true} (one seed node is enough).</li>
 * </ul>
 * The {@code cluster} parameter is removed before lettuce sees the URI. Sentinel URIs
 * ({@code redis-sentinel://h1,h2#master}) list several sentinels and stay as they are.
 * {@link #describe()} is for logs: hosts and ports only, never the password.
 */
public record RedisEndpoint(boolean cluster, List<RedisURI> nodes) {
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", Pattern.DOTALL);
    private static final Pattern CLUSTER_PARAM = Pattern.compile("(?i)^cluster=(.*)$");

    public RedisEndpoint {
        nodes = List.copyOf(nodes);
        if (nodes.isEmpty()) throw new IllegalArgumentException("no Redis node");
    }

    /** @throws IllegalArgumentException when the URI is not one lettuce accepts (the message never holds the password) */
    public static RedisEndpoint parse(String uri) {
        if (uri == null || uri.isBlank()) throw new IllegalArgumentException("empty Redis URI");
        Matcher m = SCHEME.matcher(uri.trim());
        if (!m.matches()) throw new IllegalArgumentException("not a Redis URI (expected redis://host:port)");
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        String rest = m.group(2);

        // Split off the fragment and the query, and take the cluster flag out of the query.
        String fragment = "";
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            fragment = rest.substring(hash);
            rest = rest.substring(0, hash);
        }
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        Boolean clusterFlag = null;
        List<String> params = new ArrayList<>();
        for (String p : query.split("&")) {
            if (p.isEmpty()) continue;
            Matcher c = CLUSTER_PARAM.matcher(p);
            if (c.matches()) {
                String v = c.group(1).toLowerCase(Locale.ROOT);
                clusterFlag = v.equals("true") || v.equals("1") || v.equals("yes") || v.isEmpty();
            } else {
                params.add(p);
            }
        }
        String cleanQuery = params.isEmpty() ? "" : "?" + String.join("&", params);

        // Authority = [userinfo@]hosts, up to the first '/' after the user info.
        int at = rest.lastIndexOf('@');
        String userInfo = at >= 0 ? rest.substring(0, at + 1) : "";
        String afterUser = at >= 0 ? rest.substring(at + 1) : rest;
        int slash = afterUser.indexOf('/');
        String hosts = slash >= 0 ? afterUser.substring(0, slash) : afterUser;
        String path = slash >= 0 ? afterUser.substring(slash) : "";

        boolean sentinel = scheme.contains("sentinel");
        boolean socket = scheme.contains("socket");
        String[] hostList = hosts.split(",");
        boolean cluster = !sentinel && !socket
                && (clusterFlag != null ? clusterFlag : hostList.length > 1);
        List<RedisURI> nodes = new ArrayList<>();
        try {
            if (cluster) {
                for (String host : hostList) {
                    if (host.isBlank()) continue;
                    nodes.add(RedisURI.create(scheme + "://" + userInfo + host.trim() + path + cleanQuery));
                }
            } else {
                nodes.add(RedisURI.create(scheme + "://" + rest + cleanQuery + fragment));
            }
        } catch (RuntimeException e) {
            // lettuce's message may quote the URI, password included: do not pass it on.
            throw new IllegalArgumentException("invalid Redis URI for " + redact(scheme, hosts) + ": "
                    + e.getClass().getSimpleName());
        }
        return new RedisEndpoint(cluster, nodes);
    }

    /** For logs: {@code cluster 10.0.0.1:6379,10.0.0.2:6379} or {@code standalone host:6379}; never a password. */
    public String describe() {
        List<String> hosts = new ArrayList<>();
        for (RedisURI uri : nodes) hosts.add(hostOf(uri));
        boolean sentinel = !cluster && !nodes.get(0).getSentinels().isEmpty();
        return (cluster ? "cluster " : sentinel ? "" : "standalone ") + String.join(",", hosts);
    }

    @Override
    public String toString() {
        return "RedisEndpoint{" + describe() + "}";
    }

    private static String hostOf(RedisURI uri) {
        if (uri.getHost() != null) return uri.getHost() + ":" + uri.getPort();
        if (uri.getSocket() != null) return uri.getSocket();
        List<String> sentinels = new ArrayList<>();
        for (RedisURI s : uri.getSentinels()) sentinels.add(s.getHost() + ":" + s.getPort());
        return "sentinel " + uri.getSentinelMasterId() + "@" + String.join(",", sentinels);
    }

    private static String redact(String scheme, String hosts) {
        return scheme + "://" + hosts;
    }
}
