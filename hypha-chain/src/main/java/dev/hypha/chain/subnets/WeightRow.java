package dev.hypha.chain.subnets;

import java.util.Arrays;
import java.util.List;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicStruct;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/** A validator's revealed weights: strictly increasing UIDs and non-zero u16 values. */
public record WeightRow(int[] uids, int[] values) {
    public static final WeightRow EMPTY = new WeightRow(new int[0], new int[0]);

    public WeightRow {
        if (uids.length != values.length) throw new IllegalArgumentException("weights: " + uids.length + " uids but " + values.length + " values");
    }

    public DynamicStruct toStruct() {
        return new DynamicStruct(u16Array(uids), u16Array(values));
    }

    /** keccak256(abi.encode(uids, values)): what SubnetRegistry stores at reveal. */
    public byte[] hash() {
        return Hash.sha3(Numeric.hexStringToByteArray(TypeEncoder.encode(toStruct())));
    }

    static DynamicArray<Uint16> u16Array(int[] values) {
        return new DynamicArray<>(Uint16.class, Arrays.stream(values).mapToObj(Uint16::new).toList());
    }

    static List<Uint16> u16List(int[] values) {
        return Arrays.stream(values).mapToObj(Uint16::new).toList();
    }
}
