using ZeroGym.Arrays;

namespace ZeroGym.Tests.Envs;

/// <summary>Deep equality of canonical space values: arrays by dtype, shape and bytes; maps and lists member by member.</summary>
internal static class CanonicalValues
{
    public static void AssertEqual(object? expected, object? actual, string path = "value")
    {
        switch (expected)
        {
            case NDArray array:
                var other = Assert.IsType<NDArray>(actual);
                Assert.True(array.DType == other.DType && array.ShapeEquals(other.Shape), $"{path}: expected {array}, got {other}");
                Assert.Equal(array.Data, other.Data);
                break;
            case IReadOnlyDictionary<string, object> map:
                var otherMap = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object>>(actual);
                Assert.Equal(map.Keys.Order(), otherMap.Keys.Order());
                foreach (var (key, value) in map) AssertEqual(value, otherMap[key], $"{path}['{key}']");
                break;
            case IReadOnlyList<object> list:
                var otherList = Assert.IsAssignableFrom<IReadOnlyList<object>>(actual);
                Assert.Equal(list.Count, otherList.Count);
                for (int i = 0; i < list.Count; i++) AssertEqual(list[i], otherList[i], $"{path}[{i}]");
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }
}
