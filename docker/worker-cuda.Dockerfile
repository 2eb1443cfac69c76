# CUDA worker image: the palette CLI with TorchSharp-cuda-linux (libtorch + CUDA 12.8 natives from NuGet).
# Not yet built in CI (no Docker engine there); see docs/libtorch.md.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/PaletteCluster.Cli -c Release -p:LibTorch=cuda -o /app

FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
RUN apt-get update && apt-get install -y --no-install-recommends dotnet-runtime-10.0 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
ENTRYPOINT ["dotnet", "/app/palette.dll"]
