"""THE profiles table of the course: each lesson's settings in every profile (full, quick, tiny).

Changing the size of the course is an edit here, never in a notebook. helpers.config merges each row into one plain
dict per run (config.PROFILES[lesson][profile]); print it in a notebook to see what a run uses. Plain data only.
"""

# Lessons 05-08 score the same test dialogues: the first EVAL_DIALOGUES[profile] distinct ones of DialogSum.
EVAL_DIALOGUES = {"full": 200, "quick": 50, "tiny": 40}

# THE profiles table: lesson -> {"all": settings every profile shares, "full"/"quick"/"tiny": what differs}.
# "models" and "datasets" map a role in the lesson to a logical name of helpers.config (MODELS, DATASETS).
# "seconds" holds times: "total" for the whole notebook, other keys for single long steps (Run.estimate).
# quick's seconds: `make verify PROFILE=quick` against the real-size stand-ins built with the checkpoints' real
# tokenizers and DialogSum's real validation and test text, on a 2-core AMD EPYC with AVX512-BF16 (so quick trained
# under bf16 autocast), 2026-12-06: the mean of two full runs of lessons 00-07 the same day (37.4 and 38.3 min in
# all) and of two runs of lesson 08 alone on 2026-12-07, each run's cell within 1.3x of it (helpers.tools.report).
# On a CPU without native bf16 the training steps print these scaled by FP32_TRAINING_SLOWDOWN (helpers.config).
# tiny's: measured on a 2-core CPU; full's: estimates for a Colab T4, never timed on one.
LESSON_SETTINGS = {
    "00": {
        "all": {"models": {"encoder": "bert", "decoder": "gpt2", "seq2seq": "flan-t5"},
                "datasets": {"reviews": "imdb", "dialogues": "dialogsum"}, "sample_size": 3},
        "full": {"seconds": {"total": 120, "load": 60}},
        "quick": {"seconds": {"total": 13, "load": 2}},
        "tiny": {"seconds": {"total": 10, "load": 2}},
    },
    "01": {
        # attention_layer: the layer (counted from 0) whose heads section 5 inspects; collator_repeats: how many
        # times the masking collator is applied to one batch to measure its 15% and 80/10/10 shares.
        # mlm_*: continued pretraining on unlabelled reviews (section 9): training rows, their length in tokens,
        # optimizer steps, batch size, learning rate; held-out reviews of the same split scored as one corpus by
        # pseudo-perplexity, and the words kept of each (every word costs one more forward pass per review): 24 x 40
        # words in quick, about a thousand tokens, so that a fall is measured on more than a few sentences.
        "all": {"models": {"mlm": "bert"}, "datasets": {"reviews": "imdb"}, "top_k": 5, "attention_layer": 5,
                "collator_repeats": 300, "mlm_train_size": 400, "mlm_max_length": 128, "mlm_steps": 20,
                "mlm_batch_size": 8, "mlm_lr": 5e-5, "mlm_eval_size": 24, "mlm_eval_words": 40},
        "full": {"mlm_train_size": 4000, "mlm_steps": 200, "mlm_batch_size": 16, "mlm_eval_size": 48,
                 "seconds": {"total": 150, "load": 30, "score": 30, "continued_pretraining": 90}},
        "quick": {"seconds": {"total": 281, "load": 1, "score": 91, "continued_pretraining": 176}},
        "tiny": {"attention_layer": 1, "mlm_train_size": 150, "mlm_max_length": 64, "mlm_steps": 30,
                 "mlm_batch_size": 16, "mlm_lr": 1e-3, "mlm_eval_size": 8,
                 "seconds": {"total": 20, "load": 1, "score": 1, "continued_pretraining": 3}},
    },
    "02": {
        # eval_size: test dialogues scored with ROUGE (one batched pass per prompting setting);
        # shots: examples in a few-shot prompt, drawn from `pool_size` training dialogues; a prompt that does not fit
        # the 512-token input uses fewer shots, then cuts the query dialogue inside the template (helpers.prompts).
        "all": {"models": {"seq2seq": "flan-t5"}, "datasets": {"dialogues": "dialogsum"},
                "shots": 3, "show_size": 3, "samples": 5, "sensitivity_size": 4},
        "full": {"eval_size": 200, "pool_size": 500, "sensitivity_size": 50, "max_new_tokens": 60, "batch_size": 16,
                 "seconds": {"total": 330, "load": 40, "rouge": 150, "sensitivity": 50}},
        "quick": {"eval_size": 20, "pool_size": 200, "max_new_tokens": 50, "batch_size": 10,
                  "seconds": {"total": 226, "load": 1, "rouge": 111, "sensitivity": 29}},
        "tiny": {"eval_size": 16, "pool_size": 100, "shots": 5, "max_new_tokens": 20, "batch_size": 16,
                 "seconds": {"total": 15, "load": 7, "rouge": 3, "sensitivity": 1}},
    },
    "03": {
        # max_new_tokens: every compared text has exactly this many new tokens (>= 20 for the greedy-by-hand check);
        # n_samples: samples per sampling strategy in the comparison (drawn in one batched generate() call).
        # dtype: GPT-2 stays in float32 everywhere: the token-for-token checks compare close probabilities.
        "all": {"models": {"lm": "gpt2"}, "datasets": {}, "dtype": "float32", "num_beams": 4, "show_top": 10},
        "full": {"max_new_tokens": 60, "num_beams": 5, "n_samples": 20, "seconds": {"total": 120, "comparison": 20}},
        "quick": {"max_new_tokens": 40, "n_samples": 5, "seconds": {"total": 82, "comparison": 20}},
        "tiny": {"max_new_tokens": 24, "n_samples": 8, "seconds": {"total": 15, "comparison": 5}},
    },
    "04": {
        # The same split for all three methods: train and validation cut from IMDB's train split, test from its
        # test split. pooling: how a frozen review becomes one vector ("mean" of the token states, or "cls").
        # lr / lora_lr: the tiny model starts from a barely pretrained state and needs far larger steps than the
        # real DistilBERT. padding_length / padding_sample: the fixed-padding pitfall (512 = the model's limit).
        # Full fine-tuning's lr is 5e-5 in quick and full: the top of the range BERT's authors searched (2e-5 to 5e-5,
        # Devlin et al., 2019, appendix A.3), the top because quick takes only 25 steps. Higher rates make failed
        # runs (a classifier stuck on one class) more frequent (Mosbach et al., 2021, "On the Stability of
        # Fine-tuning BERT"); no machine here can load the real weights to measure another choice.
        "all": {"models": {"encoder": "distilbert"}, "datasets": {"reviews": "imdb"},
                "train_size": 400, "val_size": 100, "test_size": 200, "batch_size": 16, "pooling": "cls",
                "head_epochs": 20, "head_lr": 1e-3, "overfit_epochs": 60, "folds": 5, "lora_r": 8, "lora_alpha": 16,
                "lora_dropout": 0.1, "padding_length": 512, "max_steps": -1},
        "full": {"train_size": 5000, "val_size": 1000, "test_size": 2000, "max_length": 512, "epochs": 2,
                 "lr": 5e-5, "lora_epochs": 2, "lora_lr": 5e-4, "padding_sample": 512,
                 "seconds": {"total": 900, "features": 60, "full_ft": 240, "lora": 200, "padding": 30}},
        "quick": {"max_length": 128, "epochs": 1, "lr": 5e-5, "lora_epochs": 2, "lora_lr": 1e-3,
                  "padding_sample": 64,
                  "seconds": {"total": 400, "features": 52, "full_ft": 68, "lora": 105, "padding": 65}},
        "tiny": {"max_length": 256, "epochs": 3, "lr": 2e-3, "lora_r": 4, "lora_epochs": 3, "lora_lr": 5e-3,
                 "padding_sample": 200,
                 "seconds": {"total": 30, "features": 1, "full_ft": 5, "lora": 5, "padding": 2}},
    },
    "05": {
        # quick uses flan-t5-small (77M parameters): on the 2-core CPU a flan-t5-base step of 8 dialogues took 6.6 s
        # with LoRA and 9.7 s fully (small: 2.5 s and 2.9 s), too slow for enough steps in quick's budget.
        # *_size: rows of train / validation (loss during training) / distinct test dialogues (ROUGE).
        # max_*_length: upper caps; the notebook picks the lengths from the data's token-length distribution.
        # train_steps: optimizer steps, the same for LoRA and for full fine-tuning.
        # lora_targets: T5's query and value projections, the published recipe. tiny's 64-wide, 2-layer T5 needs every
        # linear layer instead, at rank 2 (4.1% of its weights): with q and v alone (rank 8, lr 2e-2) its validation
        # loss was still 2.2-2.4 after 150 steps, its greedy summaries looped ("has has has ...") and ROUGE-1 swung
        # with the run from 0.15 to 0.39 against zero-shot's 0.236, below it under bf16 autocast (0.187) and on Colab's
        # versions (0.227). Every linear layer at rank 2, alpha 8, lr 1.5e-2: validation loss 1.6-1.7, ROUGE-1 gain over
        # zero-shot +0.086 (newest, fp32), +0.117 (newest, bf16), +0.116 and +0.198 (Colab's versions, fp32 and bf16),
        # +0.187 (the floors, fp32). At lr 2e-2 the floors gained only +0.003; the tiny LoRA is still sensitive to its
        # rate (floors under bf16, which no CI pass runs: +0.013). Measured in tiny, 2-core CPU.
        "all": {"models": {"seq2seq": "flan-t5"}, "datasets": {"dialogues": "dialogsum"},
                "max_source_length": 256, "max_target_length": 64, "batch_size": 8, "lora_r": 32, "lora_alpha": 32,
                "lora_dropout": 0.05, "lora_targets": ["q", "v"], "full_lr": 3e-4, "train_steps": 50},
        "full": {"train_size": 2000, "val_size": 100, "eval_size": EVAL_DIALOGUES["full"], "max_source_length": 512,
                 "max_target_length": 128, "lora_lr": 1e-3, "train_steps": 250, "max_new_tokens": 100,
                 "generation_batch_size": 32,
                 "seconds": {"total": 780, "zero_shot": 40, "lora_train": 150, "full_train": 220,
                             "evaluate": 80, "deploy": 60}},
        "quick": {"models": {"seq2seq": "flan-t5-small"}, "train_size": 800, "val_size": 32,
                  "eval_size": EVAL_DIALOGUES["quick"],
                  "lora_lr": 2e-3, "max_new_tokens": 60, "generation_batch_size": 25,
                  "seconds": {"total": 334, "zero_shot": 24, "lora_train": 111, "full_train": 135,
                              "evaluate": 27, "deploy": 8}},
        "tiny": {"train_size": 400, "val_size": 40, "eval_size": EVAL_DIALOGUES["tiny"], "batch_size": 16, "lora_r": 2,
                 "lora_alpha": 8, "lora_targets": ["q", "k", "v", "o", "wi_0", "wi_1", "wo"], "lora_lr": 1.5e-2,
                 "full_lr": 3e-3, "train_steps": 150, "max_new_tokens": 40,
                 "generation_batch_size": 40,
                 "seconds": {"total": 45, "zero_shot": 2, "lora_train": 15, "full_train": 15,
                             "evaluate": 2, "deploy": 1}},
    },
    "06": {
        # chat: the instruct model whose chat template the lesson uses and demonstrates; base: the model trained.
        # max_length: prompt and answer together, in tokens; a longer dialogue is cut inside the template.
        # train_steps: optimizer steps, the same for the answer-only, prompt-counted and pad-masked runs (quick: 25, so
        # that three runs and four models' generation fit 10 minutes on 2 cores; with 40 the lesson took 13-14 min in
        # fp32 and 13 min under bf16 autocast, 30 steps 9.5 min, on a 2-core AMD EPYC).
        # max_new_tokens: quick's 40 is 1.6x the human test summaries' mean length in SmolLM2 tokens (25.5, median 23,
        # over quick's 50 test dialogues).
        # lora_targets: tiny's 64-wide model needs every linear layer: with q_proj and v_proj alone it looped on the
        # speaker tags and never stopped after 150 steps (measured in tiny). tiny's lora_dropout is 0: at that size
        # the dropout's extra operations took 40% of each training run (measured: 25 s against 15 s for 150 steps).
        "all": {"models": {"chat": "smollm2-instruct", "base": "smollm2"}, "datasets": {"dialogues": "dialogsum"},
                "lora_targets": ["q_proj", "v_proj"],
                "train_size": 800, "val_size": 32, "max_length": 384, "batch_size": 8, "lora_r": 16,
                "lora_alpha": 32, "lora_dropout": 0.05, "lr": 5e-4, "train_steps": 50, "max_new_tokens": 60,
                "generation_batch_size": 25, "demo_new_tokens": 60},
        "full": {"train_size": 4000, "val_size": 100, "eval_size": EVAL_DIALOGUES["full"], "max_length": 768,
                 "lr": 2e-4, "train_steps": 400, "max_new_tokens": 100, "generation_batch_size": 32,
                 "seconds": {"total": 1050, "load": 30, "sft": 240, "sft_prompt_counted": 240, "sft_pad_masked": 240,
                             "evaluate": 160, "deploy": 30}},
        "quick": {"eval_size": EVAL_DIALOGUES["quick"], "max_length": 256, "batch_size": 4, "train_steps": 25,
                  "max_new_tokens": 40,
                  "seconds": {"total": 458, "load": 2, "sft": 126, "sft_prompt_counted": 93, "sft_pad_masked": 79,
                              "evaluate": 92, "deploy": 18}},
        "tiny": {"train_size": 400, "val_size": 40, "eval_size": EVAL_DIALOGUES["tiny"], "max_length": 192,
                 "lora_targets": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
                 "batch_size": 16, "lr": 1e-2, "lora_dropout": 0.0, "train_steps": 100, "max_new_tokens": 30,
                 "generation_batch_size": 40, "demo_new_tokens": 30,
                 "seconds": {"total": 45, "load": 4, "sft": 10, "sft_prompt_counted": 10, "sft_pad_masked": 10,
                             "evaluate": 2, "deploy": 1}},
    },
    "07": {
        # chat / base: as lesson 06; the policy starts from lesson 06's SFT model when its adapter is there (saved in
        # this profile), else from the instruct model. *_size: DialogSum rows drawn for training pairs and held-out
        # pairs (rows whose summary has nothing to change, or that do not fit max_length, are left out: at 256
        # tokens more than half of the stand-ins' dialogues were, so quick allows 320).
        # beta: TRL's default, the strength of the pull towards the reference. lr: for LoRA, between TRL's default
        # for training every weight (1e-6) and lesson 06's SFT rate (5e-4); no published rate exists for this model
        # and task, and no machine here can load the real weights to measure one. train_steps: optimizer steps of
        # batch_size pairs, each step one forward and backward pass of the chosen and rejected sequences and one
        # forward pass of the reference. val_size: rows drawn for held-out pairs; with the pair rule's balance and
        # max_length, about one in six of DialogSum's validation rows became a held-out pair at quick's 320 tokens
        # (11 of 64 in a stand-in run), so quick draws 200. eval_pairs: the held-out pairs TRL scores during
        # training, three times (the curve; quick's 8: each evaluation of 16 took about 48 s on 2 cores in fp32);
        # section 6 scores all of them. quick's 20 steps: with 25 the lesson took 9.9 min under bf16 autocast on a
        # 2-core AMD EPYC, too close to its 10.
        "all": {"models": {"chat": "smollm2-instruct", "base": "smollm2"}, "datasets": {"dialogues": "dialogsum"},
                "lora_targets": ["q_proj", "v_proj"], "lora_r": 16, "lora_alpha": 32, "beta": 0.1,
                "train_size": 800, "val_size": 64, "max_length": 384, "batch_size": 4, "lr": 5e-5,
                "train_steps": 100, "max_new_tokens": 60, "generation_batch_size": 25, "eval_pairs": 16},
        "full": {"train_size": 3000, "val_size": 200, "eval_size": EVAL_DIALOGUES["full"], "max_length": 768,
                 "batch_size": 8, "train_steps": 300, "max_new_tokens": 100, "generation_batch_size": 32,
                 "seconds": {"total": 900, "load": 30, "dpo": 500, "evaluate": 150}},
        "quick": {"train_size": 300, "val_size": 200, "eval_size": EVAL_DIALOGUES["quick"], "max_length": 320,
                  "batch_size": 2, "lr": 1e-4, "train_steps": 20, "max_new_tokens": 40, "eval_pairs": 8,
                  "seconds": {"total": 478, "load": 1, "dpo": 287, "evaluate": 74}},
        "tiny": {"train_size": 200, "val_size": 40, "eval_size": EVAL_DIALOGUES["tiny"], "max_length": 192,
                 "lora_targets": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
                 "lr": 2e-3, "train_steps": 30, "max_new_tokens": 30, "generation_batch_size": 40,
                 "seconds": {"total": 20, "load": 4, "dpo": 6, "evaluate": 2}},
    },
    "08": {
        # chat / base: as lesson 07, and the policy starts as 07's does. Prompts: lesson 06's request on validation
        # rows after lesson 07's held-out ones (train_size drawn; a dialogue whose prompt is longer than
        # max_prompt_length is left out). num_generations: G, completions sampled per prompt; prompts_per_step:
        # prompts in one optimizer step (its batch holds G x prompts_per_step completions). max_completion_length:
        # a completion longer than this is cut (and scores as not stopping). temperature 1.0: TRL's default, the
        # model's own distribution. beta 0.0 and epsilon 0.2: TRL 1.x's defaults (no KL term, so no reference model;
        # the clip of PPO). lr: for LoRA, lesson 07's quick rate; no published rate exists for this model and task.
        # check_prompts: prompts in the batch whose loss is computed by hand and by TRL.
        # full: a step of 2 prompts x 8 completions of up to 384 + 96 tokens (about 7,700 tokens, as lesson 07's 16
        # sequences of 768 at most); with 4 prompts of up to 512 tokens a capped CPU run of `make verify PROFILE=full`
        # grew to 11 GB. quick: a step of 2 prompts x 4 completions took 15-17 s on the 2-core AMD EPYC under bf16
        # autocast (generation of 40 tokens, then one forward and backward pass) and 21-23 s in a slower hour of the
        # same machine, when 10 steps a run made the lesson 622 s (459 and 476 s before): so 8 steps. Its times are the
        # mean of two runs of this lesson alone at 8 steps (547 and 511 s), the other lessons' from the table's header.
        "all": {"models": {"chat": "smollm2-instruct", "base": "smollm2"}, "datasets": {"dialogues": "dialogsum"},
                "lora_targets": ["q_proj", "v_proj"], "lora_r": 16, "lora_alpha": 32, "train_size": 100,
                "max_prompt_length": 320, "num_generations": 4, "prompts_per_step": 2, "max_completion_length": 48,
                "temperature": 1.0, "beta": 0.0, "epsilon": 0.2, "lr": 1e-4, "train_steps": 30,
                "max_new_tokens": 48, "generation_batch_size": 25, "check_prompts": 2},
        "full": {"train_size": 300, "eval_size": EVAL_DIALOGUES["full"], "max_prompt_length": 384,
                 "num_generations": 8, "max_completion_length": 96, "train_steps": 100, "check_prompts": 1,
                 "max_new_tokens": 100, "generation_batch_size": 32,
                 "seconds": {"total": 1100, "load": 30, "grpo": 420, "grpo_hacked": 420, "evaluate": 150}},
        "quick": {"train_size": 150, "eval_size": EVAL_DIALOGUES["quick"], "max_prompt_length": 200,
                  "max_completion_length": 40, "train_steps": 8, "max_new_tokens": 40,
                  "seconds": {"total": 529, "load": 2, "grpo": 164, "grpo_hacked": 180, "evaluate": 116}},
        "tiny": {"train_size": 60, "eval_size": EVAL_DIALOGUES["tiny"], "max_prompt_length": 192,
                 "lora_targets": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
                 "max_completion_length": 30, "lr": 5e-3, "train_steps": 20, "max_new_tokens": 30,
                 "generation_batch_size": 40,
                 "seconds": {"total": 20, "load": 4, "grpo": 4, "grpo_hacked": 4, "evaluate": 2}},
    },
}
