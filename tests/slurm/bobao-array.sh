#!/bin/sh
# A Slurm job array over bobao batch shards: sbatch bobao-array.sh IN_DIR OUT_DIR
# (IN_DIR and OUT_DIR on a file system every node shares; logs/ in the submission folder).
#SBATCH --job-name=bobao
#SBATCH --array=0-15
#SBATCH --cpus-per-task=8
#SBATCH --output=logs/bobao-%a.out
exec bobao batch -q -j "$SLURM_CPUS_PER_TASK" \
    --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" \
    --log "logs/bobao-$SLURM_ARRAY_TASK_ID.jsonl" "$1" "$2"
