public enum WebGateway {}
