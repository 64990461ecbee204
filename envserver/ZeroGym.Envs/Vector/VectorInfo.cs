using System.Collections;
using ZeroGym.Arrays;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Vector;

/// <summary>
/// Gymnasium's vector info layout (<c>VectorEnv._add_info</c>): for every key a sub-env reported, <c>key</c> holds N
/// values and <c>_key</c> a bool array (N,) saying which sub-envs reported it.
/// </summary>
/// <remarks>
/// The first value of a key fixes its column: a bool gives a bool array, a C# integer an int64 array (a ulong uint64),
/// a double float64, a float float32, an <see cref="NDArray"/> an array (N, ...its shape) of its dtype, all zero where
/// absent; a map gives a nested vector info; anything else an <c>object?[]</c> with null where absent. Later numbers
/// are converted to the column's dtype as numpy's assignment does.
/// </remarks>
internal static class VectorInfo
{
    /// <summary>Adds the info of sub-env <paramref name="envIndex"/> to <paramref name="vectorInfo"/>.</summary>
    public static void Add(Dictionary<string, object?> vectorInfo, IEnumerable<KeyValuePair<string, object?>> envInfo, int envIndex, int numEnvs)
    {
        foreach (var (key, value) in envInfo)
        {
            vectorInfo.TryGetValue(key, out var column);
            if (value is IDictionary nested)
            {
                var batched = column switch
                {
                    null => new Dictionary<string, object?>(),
                    Dictionary<string, object?> existing => existing,
                    _ => throw Mismatch(key, value, envIndex, column),
                };
                Add(batched, StringKeyed(key, nested), envIndex, numEnvs);
                column = batched;
            }
            else if (AsArray(value) is NDArray array)
            {
                column ??= NDArray.Zeros(array.DType, [numEnvs, .. array.Shape]);
                switch (column)
                {
                    case NDArray numbers when numbers.ShapeEquals([numEnvs, .. array.Shape]):
                        var row = array.AsType(numbers.DType).Data;
                        row.CopyTo(numbers.Data, envIndex * row.Length);
                        break;
                    case object?[] objects:
                        objects[envIndex] = value;
                        break;
                    default:
                        throw Mismatch(key, value, envIndex, column);
                }
            }
            else
            {
                column ??= new object?[numEnvs];
                if (column is not object?[] objects) throw Mismatch(key, value, envIndex, column);
                objects[envIndex] = value;
            }

            var mask = vectorInfo.TryGetValue("_" + key, out var existingMask) && existingMask is NDArray bools
                ? bools
                : NDArray.Zeros(DType.Bool, numEnvs);
            mask.Data[envIndex] = 1;
            vectorInfo[key] = column;
            vectorInfo["_" + key] = mask;
        }
    }

    /// <summary>A number or bool as a 0-d array of its dtype, an array as itself, anything else null.</summary>
    private static NDArray? AsArray(object? value) => value switch
    {
        NDArray array => array,
        bool flag => NDArray.Scalar(flag),
        double number => NDArray.Scalar(number),
        float number => NDArray.Scalar(number),
        ulong number => NDArray.Scalar(number),
        long or int or short or sbyte or uint or ushort or byte => NDArray.Scalar(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
        _ => null,
    };

    private static IEnumerable<KeyValuePair<string, object?>> StringKeyed(string key, IDictionary map)
    {
        foreach (DictionaryEntry entry in map)
        {
            yield return entry.Key is string name
                ? KeyValuePair.Create(name, entry.Value)
                : throw new ArgumentException($"info key '{key}' holds a map whose keys must be strings; got key {Space.Describe(entry.Key)}");
        }
    }

    private static ArgumentException Mismatch(string key, object? value, int envIndex, object? column) =>
        new($"info key '{key}': sub-env {envIndex} reported {Space.Describe(value)}, which does not fit the values earlier sub-envs reported ({Space.Describe(column)})");
}
