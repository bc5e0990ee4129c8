package org.correlationstation.local.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.correlationstation.api.store.InMemoryCorrelationStore;

/**
 * The stores of this JVM by name. The job's sink is serialised into the MiniCluster, which runs in
 * the same JVM and class loader, and finds the store the API reads by this name.
 */
public final class LocalStores {
    /** A store with the file it is snapshotted to. */
    public record Registered(InMemoryCorrelationStore store, StoreSnapshot snapshot) {}

    private static final Map<String, Registered> STORES = new ConcurrentHashMap<>();

    private LocalStores() {}

    public static void register(String name, InMemoryCorrelationStore store, StoreSnapshot snapshot) {
        if (STORES.putIfAbsent(name, new Registered(store, snapshot)) != null) {
            throw new IllegalStateException("a store named " + name + " is already registered");
        }
    }

    public static Registered get(String name) {
        Registered r = STORES.get(name);
        if (r == null) {
            throw new IllegalStateException("no store named " + name + " in this JVM: the memory store sink runs "
                    + "only in local mode, where the job and the API share one JVM");
        }
        return r;
    }

    public static void unregister(String name) {
        STORES.remove(name);
    }
}
