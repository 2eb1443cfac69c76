// MSBuild inline task (compiled by RoslynCodeTaskFactory): marks chosen entries of an ELF64 file's
// .gnu.version_r section weak when the system libstdc++ does not define that version.
// A weak version need lets the dynamic loader accept the library; it is safe only for needs that no
// relocation uses, which is why the list of names is explicit (see LibTorchSharpElfFix.targets).
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenElfVersionNeeds : Task
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string VersionNames { get; set; } = "";

    public override bool Execute()
    {
        var missing = new List<string>();
        foreach (var name in VersionNames.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries))
            if (!SystemLibstdcxxDefines(name.Trim())) missing.Add(name.Trim());
        if (missing.Count == 0) return true;

        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            var bytes = File.ReadAllBytes(path);
            int changed;
            try { changed = Weaken(bytes, missing); }
            catch (Exception e) when (e is InvalidDataException || e is IndexOutOfRangeException || e is ArgumentException)
            {
                Log.LogError("{0}: cannot read ELF version needs: {1}", path, e.Message);
                return false;
            }
            if (changed == 0) continue; // already weak or no such need: nothing to do
            // Write beside and rename: never edits a hard-linked copy (e.g. the NuGet cache) in place.
            var tmp = path + ".weak.tmp";
            File.WriteAllBytes(tmp, bytes);
            File.Copy(tmp, path, overwrite: true);
            File.Delete(tmp);
            Log.LogMessage(MessageImportance.High, "Marked {0} version need(s) weak in {1} ({2}); the system libstdc++ lacks them.",
                changed, Path.GetFileName(path), string.Join(", ", missing));
        }
        return !Log.HasLoggedErrors;
    }

    static bool SystemLibstdcxxDefines(string version)
    {
        var dirs = new List<string> { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" };
        var ld = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        if (!string.IsNullOrEmpty(ld)) dirs.InsertRange(0, ld.Split(':'));
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (var dir in dirs)
        {
            var lib = Path.Combine(dir, "libstdc++.so.6");
            if (!File.Exists(lib)) continue;
            return IndexOf(File.ReadAllBytes(lib), needle) >= 0; // first one found is what the loader picks
        }
        return false;
    }

    static int IndexOf(byte[] hay, byte[] needle)
    {
        for (int i = 0; i <= hay.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    /// <summary>Returns how many vernaux entries were changed.</summary>
    static int Weaken(byte[] elf, List<string> names)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("only little-endian ELF64 is supported");
        long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        int changed = 0;
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 24);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 40);
            int count = (int)BitConverter.ToUInt32(elf, (int)sh + 44);
            long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)link * shentsize) + 24);

            long vn = offset;
            for (int i = 0; i < count; i++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)vn + 2);
                long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    string name = ReadCString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                    ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    if (names.Contains(name) && (flags & VerFlgWeak) == 0)
                    {
                        BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, (int)aux + 4);
                        changed++;
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                vn += BitConverter.ToUInt32(elf, (int)vn + 12);
            }
        }
        return changed;
    }

    static string ReadCString(byte[] b, long at)
    {
        int end = (int)at;
        while (b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
    }
}
