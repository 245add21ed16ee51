package dev.hypha.chain.indexer;

import dev.hypha.chain.abi.AbiEvent;
import dev.hypha.chain.abi.AbiParam;
import dev.hypha.chain.abi.AbiValues;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.web3j.protocol.core.methods.response.Log;

/** Decodes raw logs of watched contracts into {@link IndexedEvent}s using their ABIs. */
final class EventDecoder {
    private final Map<String, WatchedContract> byAddress = new HashMap<>();
    private final Map<String, Map<String, AbiEvent>> eventsByAddress = new HashMap<>();

    EventDecoder(List<WatchedContract> contracts) {
        for (WatchedContract c : contracts) {
            byAddress.put(c.address(), c);
            Map<String, AbiEvent> byTopic = new HashMap<>();
            for (AbiEvent e : c.abi().events()) {
                if (!e.anonymous()) {
                    byTopic.put(e.topic0(), e);
                }
            }
            eventsByAddress.put(c.address(), byTopic);
        }
    }

    /** The decoded event, or empty if the log is not from a watched contract. */
    Optional<IndexedEvent> decode(Log log) {
        String address = log.getAddress().toLowerCase(Locale.ROOT);
        WatchedContract contract = byAddress.get(address);
        if (contract == null) {
            return Optional.empty();
        }
        List<String> topics = log.getTopics() == null ? List.of() : log.getTopics();
        String topic0 = topics.isEmpty() ? "" : topics.getFirst().toLowerCase(Locale.ROOT);
        AbiEvent event = eventsByAddress.get(address).get(topic0);
        Map<String, Object> args = event == null ? null : decodeArgs(event, topics, log.getData());
        String name = event == null || args == null ? "unknown:" + topic0 : event.name();
        if (args == null) {
            // Not in the ABI (or not decodable): keep the raw log so nothing is lost.
            args = new LinkedHashMap<>();
            args.put("topics", topics.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList());
            args.put("data", log.getData());
        }
        return Optional.of(new IndexedEvent(log.getBlockNumber().longValueExact(), log.getBlockHash().toLowerCase(Locale.ROOT),
                log.getTransactionHash().toLowerCase(Locale.ROOT), log.getLogIndex().longValueExact(), contract.name(),
                address, name, args));
    }

    private static Map<String, Object> decodeArgs(AbiEvent event, List<String> topics, String data) {
        List<AbiParam> indexed = event.inputs().stream().filter(AbiParam::indexed).toList();
        if (topics.size() != indexed.size() + 1) {
            return null;
        }
        List<AbiParam> plain = event.inputs().stream().filter(p -> !p.indexed()).toList();
        Optional<List<Object>> values = AbiValues.decode(plain, data == null ? "0x" : data);
        if (values.isEmpty()) {
            return null;
        }
        Map<String, Object> args = new LinkedHashMap<>();
        int topic = 1;
        int value = 0;
        for (int i = 0; i < event.inputs().size(); i++) {
            AbiParam p = event.inputs().get(i);
            String key = p.name().isEmpty() ? "arg" + i : p.name();
            Object v = p.indexed() ? AbiValues.decodeTopic(p, topics.get(topic++)) : values.get().get(value++);
            args.put(key, jsonValue(v));
        }
        return args;
    }

    /** BigIntegers become decimal strings so JSON round-trips them exactly. */
    static Object jsonValue(Object v) {
        return switch (v) {
            case BigInteger b -> b.toString();
            case List<?> l -> {
                List<Object> out = new ArrayList<>(l.size());
                for (Object o : l) {
                    out.add(jsonValue(o));
                }
                yield List.copyOf(out);
            }
            default -> v;
        };
    }
}
