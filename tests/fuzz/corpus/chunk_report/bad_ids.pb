
node-1
../xABC