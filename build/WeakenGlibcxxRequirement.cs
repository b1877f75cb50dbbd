// Makes TorchSharp's native bridge load on systems whose libstdc++ predates GCC 13.
//
// libLibTorchSharp.so (TorchSharp 0.107.0) lists GLIBCXX_3.4.32 in its version needs only because of
// one undefined symbol, std::ios_base_library_init(), which GCC 13 emits as a link-time marker and
// never calls. Debian 12 ships libstdc++ from GCC 12 (up to GLIBCXX_3.4.30), so the dynamic loader
// rejects the library. Setting VER_FLG_WEAK (0x2) on that one Vernaux entry turns the hard failure
// into a loader warning that is only printed under LD_DEBUG; glibc's dl-version.c skips weak
// version needs that are missing.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory as the WeakenGlibcxxRequirement
// task (build/TorchSharpNative.targets), and into the test project, which defines
// NEGENTROPY_ELF_PATCHER_NO_TASK to leave out the MSBuild wrapper.
using System;
using System.IO;
using System.Text;
#if !NEGENTROPY_ELF_PATCHER_NO_TASK
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

namespace Negentropy.Build
{
    /// <summary>Outcome of <see cref="ElfVersionNeedPatcher.MakeVersionNeedWeak"/>.</summary>
    public enum VersionNeedPatchResult
    {
        /// <summary>The entry was strong and is now weak; the file was rewritten.</summary>
        Patched,
        /// <summary>The entry was already weak; the file is unchanged.</summary>
        AlreadyWeak,
        /// <summary>The file does not need that version; the file is unchanged.</summary>
        NotRequired,
    }

    /// <summary>Reads and edits the version-needs section (.gnu.version_r) of a 64-bit little-endian ELF file.</summary>
    public static class ElfVersionNeedPatcher
    {
        public const string TargetVersion = "GLIBCXX_3.4.32";
        public const ushort WeakFlag = 0x2;
        private const uint SectionTypeVersionNeed = 0x6ffffffe;

        /// <summary>Returns true when a libstdc++.so.6 on the loader's usual paths defines <paramref name="version"/>.</summary>
        /// <remarks>Returns true when no libstdc++ is found, so that nothing is patched on an unknown system.</remarks>
        public static bool SystemLibstdcxxProvides(string version)
        {
            string[] candidates =
            {
                "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            };
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            foreach (string path in candidates)
            {
                if (File.Exists(path))
                {
                    // Version definitions live in .dynstr as NUL-terminated names.
                    return IndexOf(File.ReadAllBytes(path), needle) >= 0;
                }
            }
            return true;
        }

        /// <summary>Returns the vna_flags of the entry that needs <paramref name="version"/>, or null when there is none.</summary>
        public static ushort? ReadVersionNeedFlags(string path, string version)
        {
            byte[] image = File.ReadAllBytes(path);
            int offset = FindVernauxFlagsOffset(image, path, version);
            return offset < 0 ? (ushort?)null : BitConverter.ToUInt16(image, offset);
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the Vernaux entry for <paramref name="version"/>. The file is rewritten through a
        /// temporary file and a rename, so a hard link or the original inode (for example in the NuGet cache) is never changed.
        /// </summary>
        public static VersionNeedPatchResult MakeVersionNeedWeak(string path, string version)
        {
            byte[] image = File.ReadAllBytes(path);
            int offset = FindVernauxFlagsOffset(image, path, version);
            if (offset < 0)
            {
                return VersionNeedPatchResult.NotRequired;
            }

            ushort flags = BitConverter.ToUInt16(image, offset);
            if ((flags & WeakFlag) != 0)
            {
                return VersionNeedPatchResult.AlreadyWeak;
            }

            flags |= WeakFlag;
            image[offset] = (byte)(flags & 0xff);
            image[offset + 1] = (byte)(flags >> 8);

            string temporary = path + ".weaken.tmp";
            File.WriteAllBytes(temporary, image);
            // File.Replace is a rename(2) on Unix; File.Move with overwrite is not in netstandard2.0,
            // which RoslynCodeTaskFactory compiles against.
            File.Replace(temporary, path, null);
            return VersionNeedPatchResult.Patched;
        }

        private static int FindVernauxFlagsOffset(byte[] image, string path, string version)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            {
                throw new InvalidDataException($"{path}: not an ELF file (bad magic number)");
            }
            if (image[4] != 2 || image[5] != 1)
            {
                throw new InvalidDataException($"{path}: only 64-bit little-endian ELF files are supported (class {image[4]}, data {image[5]})");
            }

            long sectionTableOffset = checked((long)BitConverter.ToUInt64(image, 0x28));
            int sectionHeaderSize = BitConverter.ToUInt16(image, 0x3A);
            int sectionCount = BitConverter.ToUInt16(image, 0x3C);
            for (int i = 0; i < sectionCount; i++)
            {
                int header = checked((int)(sectionTableOffset + (long)i * sectionHeaderSize));
                RequireRange(image, header, 64, path);
                if (BitConverter.ToUInt32(image, header + 4) != SectionTypeVersionNeed)
                {
                    continue;
                }

                int sectionOffset = checked((int)BitConverter.ToUInt64(image, header + 0x18));
                int linkedStrings = checked((int)BitConverter.ToUInt32(image, header + 0x28));
                int entryCount = checked((int)BitConverter.ToUInt32(image, header + 0x2C));
                int stringsHeader = checked((int)(sectionTableOffset + (long)linkedStrings * sectionHeaderSize));
                RequireRange(image, stringsHeader, 64, path);
                int stringsOffset = checked((int)BitConverter.ToUInt64(image, stringsHeader + 0x18));
                return ScanVersionNeeds(image, path, sectionOffset, entryCount, stringsOffset, version);
            }
            return -1;
        }

        // Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
        // Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
        private static int ScanVersionNeeds(byte[] image, string path, int sectionOffset, int entryCount, int stringsOffset, string version)
        {
            int need = sectionOffset;
            for (int n = 0; n < entryCount; n++)
            {
                RequireRange(image, need, 16, path);
                int auxCount = BitConverter.ToUInt16(image, need + 2);
                int aux = need + checked((int)BitConverter.ToUInt32(image, need + 8));
                for (int a = 0; a < auxCount; a++)
                {
                    RequireRange(image, aux, 16, path);
                    int name = stringsOffset + checked((int)BitConverter.ToUInt32(image, aux + 8));
                    if (ReadCString(image, name, path) == version)
                    {
                        return aux + 4;
                    }
                    aux += checked((int)BitConverter.ToUInt32(image, aux + 12));
                }

                uint next = BitConverter.ToUInt32(image, need + 12);
                if (next == 0)
                {
                    break;
                }
                need += checked((int)next);
            }
            return -1;
        }

        private static string ReadCString(byte[] image, int start, string path)
        {
            RequireRange(image, start, 1, path);
            int end = Array.IndexOf(image, (byte)0, start);
            if (end < 0)
            {
                throw new InvalidDataException($"{path}: unterminated string at offset {start}");
            }
            return Encoding.ASCII.GetString(image, start, end - start);
        }

        private static void RequireRange(byte[] image, int start, int length, string path)
        {
            if (start < 0 || start + length > image.Length)
            {
                throw new InvalidDataException($"{path}: truncated ELF file (offset {start} + {length} is past the end, {image.Length} bytes)");
            }
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j])
                {
                    j++;
                }
                if (j == needle.Length)
                {
                    return i;
                }
            }
            return -1;
        }
    }

#if !NEGENTROPY_ELF_PATCHER_NO_TASK
    /// <summary>MSBuild task that weakens the GLIBCXX_3.4.32 need of each libLibTorchSharp.so below a folder.</summary>
    public sealed class WeakenGlibcxxRequirement : Task
    {
        /// <summary>Folder searched recursively, for example $(OutDir) or $(PublishDir).</summary>
        [Required]
        public string Directory { get; set; } = "";

        public override bool Execute()
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux) || !System.IO.Directory.Exists(Directory))
            {
                return true;
            }
            if (ElfVersionNeedPatcher.SystemLibstdcxxProvides(ElfVersionNeedPatcher.TargetVersion))
            {
                Log.LogMessage(MessageImportance.Low, "System libstdc++ provides {0}; libLibTorchSharp.so left as it is.", ElfVersionNeedPatcher.TargetVersion);
                return true;
            }

            // TorchSharp's fallback loader may also place a copy in a cpu/ folder, so every copy below the folder is handled.
            foreach (string library in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
            {
                VersionNeedPatchResult result = ElfVersionNeedPatcher.MakeVersionNeedWeak(library, ElfVersionNeedPatcher.TargetVersion);
                Log.LogMessage(MessageImportance.Low, "{0}: {1} need of {2}", library, result, ElfVersionNeedPatcher.TargetVersion);
            }
            return true;
        }
    }
#endif
}
